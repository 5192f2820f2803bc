// umk: the microkernel as one Linux process. Dispatches to the subcommands
// registered by the other files of this directory.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "umk_linux/cli.h"

namespace umk::cli {

namespace {
std::vector<const Command*>& table() {
    static std::vector<const Command*> t;
    return t;
}
}  // namespace

Register::Register(const Command& c) : command_(c) {
    table().push_back(&command_);
}

const Command* find_command(const char* name) {
    for (const Command* c : table())
        if (std::strcmp(c->name, name) == 0) return c;
    return nullptr;
}

const Command* const* commands() {
    static std::vector<const Command*> sorted;
    sorted = table();
    std::sort(sorted.begin(), sorted.end(),
              [](const Command* a, const Command* b) { return std::strcmp(a->name, b->name) < 0; });
    sorted.push_back(nullptr);
    return sorted.data();
}

}  // namespace umk::cli

namespace {

void usage(std::FILE* out) {
    std::fprintf(out,
                 "usage: umk COMMAND [ARGS...]\n"
                 "\n"
                 "umk runs a MINIX-3-style microkernel as one Linux process; every\n"
                 "system service is a seccomp-confined child process.\n"
                 "\n"
                 "commands:\n");
    for (const umk::cli::Command* const* c = umk::cli::commands(); *c; ++c)
        std::fprintf(out, "  %-10s %s\n", (*c)->name, (*c)->summary);
    std::fprintf(out, "\n`umk help COMMAND` tells more about a command.\n");
}

int help(int argc, char** argv) {
    if (argc < 2) {
        usage(stdout);
        return 0;
    }
    const umk::cli::Command* c = umk::cli::find_command(argv[1]);
    if (c == nullptr) {
        std::fprintf(stderr, "umk: no command '%s' (see `umk --help`)\n", argv[1]);
        return 2;
    }
    std::fputs(c->usage, stdout);
    return 0;
}

}  // namespace

UMK_CLI_COMMAND(help, "describe the commands", "usage: umk help [COMMAND]\n", help);

int main(int argc, char** argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    const umk::cli::Command* c = umk::cli::find_command(argv[1]);
    if (c == nullptr) {
        std::fprintf(stderr, "umk: no command '%s' (see `umk --help`)\n", argv[1]);
        return 2;
    }
    for (int i = 2; i < argc; ++i) {
        if (std::strcmp(argv[i], "--help") == 0) {
            std::fputs(c->usage, stdout);
            return 0;
        }
    }
    return c->run(argc - 1, argv + 1);
}
