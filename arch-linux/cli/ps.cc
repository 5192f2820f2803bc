// umk ps: the kernel's process table, over the control socket.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "client.h"
#include "umk/endpoint.h"
#include "umk/err.h"
#include "umk_linux/cli.h"

namespace {

using namespace umk;
using namespace umk::control;

const char kUsage[] =
    "usage: umk ps [--sock PATH]\n"
    "\n"
    "The process table of the running kernel: slot, endpoint, name, RTS\n"
    "flags (R runnable, S sending, V receiving, P no privileges, G signal\n"
    "pending, X stopped, D host process dead), signal manager, host pid.\n";

std::string flags_text(const PsEntry& e) {
    std::string s;
    if (e.rts_flags == 0) s += 'R';
    if (e.rts_flags & 0x04) s += 'S';
    if (e.rts_flags & 0x08) s += 'V';
    if (e.rts_flags & 0x80) s += 'P';
    if (e.rts_flags & (0x10 | 0x20)) s += 'G';
    if (e.rts_flags & 0x02) s += 'X';
    if (e.misc_flags & 0x8000) s += 'D';
    if (e.priv_flags & 0x10) s += "/sys";
    return s.empty() ? "-" : s;
}

std::string endpoint_text(endpoint_t ep) {
    if (ep == NONE) return "-";
    if (ep == SELF) return "self";
    return std::to_string(ep);
}

int run_ps(int argc, char** argv) {
    std::string sock;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--sock") == 0 && i + 1 < argc) {
            sock = argv[++i];
        } else {
            std::fprintf(stderr, "ps: unknown argument '%s'\n%s", argv[i], kUsage);
            return EINVAL;
        }
    }
    if (sock.empty()) sock = default_socket_path();
    CtlRequest rq{};
    rq.magic = CTL_MAGIC;
    rq.op = CTL_PS;
    CtlReply reply{};
    std::vector<char> data;
    std::string error;
    if (int r = call(sock, rq, &reply, &data, &error); r != OK) {
        std::fprintf(stderr, "ps: %s\n", error.c_str());
        return -r;
    }
    if (reply.status != OK) {
        std::fprintf(stderr, "ps: %s%s%s\n", errno_name(reply.status), reply.text[0] ? ": " : "",
                     reply.text);
        return -reply.status;
    }
    std::printf("%5s %9s %-15s %-10s %7s %8s\n", "SLOT", "ENDPOINT", "NAME", "FLAGS", "SIGMGR",
                "PID");
    std::size_t n = data.size() / sizeof(PsEntry);
    for (std::size_t i = 0; i < n; ++i) {
        PsEntry e;
        std::memcpy(&e, data.data() + i * sizeof e, sizeof e);
        e.name[sizeof e.name - 1] = '\0';
        std::printf("%5d %9d %-15s %-10s %7s %8s\n", e.slot, e.endpoint, e.name,
                    flags_text(e).c_str(), endpoint_text(e.sig_mgr).c_str(),
                    e.host_pid ? std::to_string(e.host_pid).c_str() : "-");
    }
    return 0;
}

}  // namespace

UMK_CLI_COMMAND(ps, "list the kernel's processes", kUsage, run_ps);
