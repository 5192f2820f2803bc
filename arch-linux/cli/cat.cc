// umk cat: run the user program `cat PATH` in the running system (PM spawns
// it; it reads the file through devman) and print its output as it comes;
// the exit status is the program's.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "client.h"
#include "umk/err.h"
#include "umk_linux/cli.h"
#include "umklib/pm_proto.h"

namespace {

using namespace umk;
using namespace umk::control;

const char kUsage[] =
    "usage: umk cat [--sock PATH] /dev/NAME\n"
    "\n"
    "Run the user program cat in the system (spawned through PM) on PATH and\n"
    "print what it writes (its standard output and error, through a pipe in\n"
    "devman). The exit status is cat's: 0, or 1 after an error.\n";

int run_cat(int argc, char** argv) {
    std::string sock, path;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--sock") == 0 && i + 1 < argc)
            sock = argv[++i];
        else if (path.empty() && argv[i][0] != '-')
            path = argv[i];
        else {
            std::fprintf(stderr, "cat: unexpected argument '%s'\n%s", argv[i], kUsage);
            return EINVAL;
        }
    }
    CtlRequest rq{};
    if (path.empty() || path.size() >= sizeof rq.path) {
        std::fprintf(stderr, "cat: need a device path (at most %zu characters)\n%s",
                     sizeof rq.path - 1, kUsage);
        return EINVAL;
    }
    if (sock.empty()) sock = default_socket_path();
    rq.magic = CTL_MAGIC;
    rq.op = CTL_CAT;
    std::memcpy(rq.path, path.c_str(), path.size() + 1);
    CtlReply reply{};
    std::vector<char> data;
    std::string error;
    auto output = [](const char* d, std::size_t n) {
        std::fwrite(d, 1, n, stdout);
        std::fflush(stdout);
    };
    if (int r = call_stream(sock, rq, output, &reply, &data, &error); r != OK) {
        std::fprintf(stderr, "umk cat: %s\n", error.c_str());
        return -r;
    }
    if (reply.status != OK) {
        std::fprintf(stderr, "umk cat: %s: %s (%d)%s%s\n", path.c_str(), errno_name(reply.status),
                     -reply.status, reply.text[0] ? ": " : "", reply.text);
        return -reply.status;
    }
    int st = reply.wait_status;
    if (pm_exited(st)) return pm_exit_code(st);
    std::fprintf(stderr, "umk cat: killed by signal %d\n", pm_term_sig(st));
    return 128 + pm_term_sig(st);
}

}  // namespace

UMK_CLI_COMMAND(cat, "read a device of the running system", kUsage, run_cat);
