// umk cat: read a device of the running system (open, read, close through
// the device layer) and print what it gave.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "client.h"
#include "umk/err.h"
#include "umk_linux/cli.h"

namespace {

using namespace umk;
using namespace umk::control;

const char kUsage[] =
    "usage: umk cat [--sock PATH] /dev/NAME\n"
    "\n"
    "Open the device through the device layer (devman), read it to the end,\n"
    "close it, and print what was read. The control proxy inside the kernel\n"
    "process performs the open/read/close as the client process.\n";

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
    if (int r = call(sock, rq, &reply, &data, &error); r != OK) {
        std::fprintf(stderr, "cat: %s\n", error.c_str());
        return -r;
    }
    if (reply.status != OK) {
        std::fprintf(stderr, "cat: %s: %s (%d)%s%s\n", path.c_str(), errno_name(reply.status),
                     -reply.status, reply.text[0] ? ": " : "", reply.text);
        return -reply.status;
    }
    std::fwrite(data.data(), 1, data.size(), stdout);
    return 0;
}

}  // namespace

UMK_CLI_COMMAND(cat, "read a device of the running system", kUsage, run_cat);
