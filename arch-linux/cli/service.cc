// umk service: MINIX's service command, over the control socket.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "client.h"
#include "service_args.h"
#include "umk/err.h"
#include "umk_linux/cli.h"
#include "umklib/rs_proto.h"

namespace {

using namespace umk;
using namespace umk::control;

const char kUsage[] =
    "usage: umk service [--sock PATH] VERB ...\n"
    "\n"
    "  up <binary> [-label L] [-args \"A B\"] [-period T] [-config FILE] [-script S]\n"
    "     [-policy restart|reset]\n"
    "  run <binary> ...              like up, but never restarted\n"
    "  update <binary>|self -label L [-state N] [-maxtime T] [-x|-y|-z]\n"
    "                                live update; -x/-y/-z make the new version's\n"
    "                                init crash / fail / hang (tests); -q queues\n"
    "                                it for sysctl upd_run\n"
    "  sysctl upd_run | upd_stop     run the queued updates as one (all or none\n"
    "                                of them; the first error), or drop them\n"
    "  down L | refresh L | restart L | lookup L\n"
    "  fi L                          fault injection: L crashes itself (its SEF\n"
    "                                does it; a service without SEF ignores it);\n"
    "                                RS recovers it as after any crash\n"
    "  list | shutdown\n"
    "\n"
    "Restart policies (-policy, system.conf `policy`): reset (default) gives the\n"
    "replacement of a dead service a new endpoint; restart lets it take over the\n"
    "dead one's endpoint, so requests queued there are served by it and it gets\n"
    "the dead instance's state. PM, devman, RS, TTY, DS and VM always use restart.\n"
    "A service up RS_BACKOFF_RESET (30 s) without a crash has its restart count\n"
    "reset to 0.\n"
    "\n"
    "list: every service, RS first. FLAGS:\n"
    "  A active            I initializing     U updating        E exiting\n"
    "  F refreshing        T terminated (dead, kept frozen until replaced)\n"
    "  R replica (replaces a dead instance) N missed its heartbeat\n"
    "  S its recovery script runs           n never restarted (run)\n"
    "  s core (cannot be taken down)        b boot image        - none\n"
    "POLICY: restart or reset, as RS will apply it.\n"
    "\n"
    "T is in clock ticks, or in seconds with an HZ suffix (-maxtime 3HZ).\n"
    "Policies come from the system.conf built into RS, or from -config FILE.\n"
    "Exit status: 0, or the MINIX error number (e.g. 85 ERESTART, 4 EINTR,\n"
    "16 EBUSY); 22 for a usage error.\n";

void print_flags(std::uint32_t f, char* out) {
    const struct {
        std::uint32_t bit;
        char c;
    } names[] = {
        {rs::RS_ACTIVE, 'A'},      {rs::RS_UPDATING, 'U'},     {rs::RS_EXITING, 'E'},
        {rs::RS_NOPINGREPLY, 'N'}, {rs::RS_INITIALIZING, 'I'}, {rs::RS_TERMINATED, 'T'},
        {rs::RS_REFRESHING, 'F'},  {rs::RS_REPLICA, 'R'},      {rs::RS_CORE, 's'},
        {rs::RS_BOOT, 'b'},        {rs::RS_NO_RESTART, 'n'},   {rs::RS_SCRIPT_RUNNING, 'S'}};
    int n = 0;
    for (auto& x : names)
        if (f & x.bit) out[n++] = x.c;
    if (n == 0) out[n++] = '-';
    out[n] = '\0';
}

int run_service(int argc, char** argv) {
    ServiceCommand cmd;
    std::string error;
    if (int r = parse_service_args(argc, argv, &cmd, &error); r != 0) {
        std::fprintf(stderr, "service: %s\n", error.c_str());
        if (r == EINVAL || r == ENOSYS) std::fputs(kUsage, stderr);
        return r;
    }
    if (!cmd.note.empty()) std::fprintf(stderr, "%s\n", cmd.note.c_str());
    std::string sock = cmd.sock.empty() ? default_socket_path() : cmd.sock;
    CtlReply reply{};
    std::vector<char> data;
    if (int r = call(sock, cmd.request, &reply, &data, &error); r != OK) {
        std::fprintf(stderr, "service: %s\n", error.c_str());
        return -r;
    }
    if (reply.status != OK) {
        std::string msg = describe_failure(cmd.verb, reply.status);
        if (reply.status == -ERESTART && reply.text[0])  // from the proxy: RS itself restarted
            msg = cmd.verb + " failed: ERESTART (" + std::to_string(ERESTART) + "): " + reply.text;
        else if (reply.text[0])
            msg += std::string(" (") + reply.text + ")";
        std::fprintf(stderr, "service: %s\n", msg.c_str());
        return reply.status < 0 ? -reply.status : reply.status;
    }
    if (cmd.request.rs_type == RS_UPDATE && (cmd.request.start.flags & rs::RSS_QUEUE)) {
        std::printf("queued\n");
    } else if (cmd.request.rs_type == RS_LOOKUP) {
        std::printf("%d\n", reply.endpoint);
    } else if (cmd.request.rs_type == RS_LIST) {
        std::printf("%-15s %9s %8s %6s %-8s %8s %-7s %s\n", "LABEL", "ENDPOINT", "RESTARTS",
                    "PERIOD", "FLAGS", "PID", "POLICY", "PROGRAM");
        std::size_t n = data.size() / sizeof(rs::rs_list_entry);
        for (std::size_t i = 0; i < n; ++i) {
            rs::rs_list_entry e;
            std::memcpy(&e, data.data() + i * sizeof e, sizeof e);
            e.label[sizeof e.label - 1] = '\0';
            e.program[sizeof e.program - 1] = '\0';
            char flags[16];
            print_flags(e.flags, flags);
            const char* policy = e.policy == conf::POLICY_RESTART ? "restart"
                                 : e.policy == conf::POLICY_RESET ? "reset"
                                                                  : "-";
            std::printf("%-15s %9d %8d %6d %-8s %8s %-7s %s\n", e.label, e.endpoint, e.restarts,
                        e.period, flags, e.host_pid ? std::to_string(e.host_pid).c_str() : "-",
                        policy, e.program);
        }
    }
    return 0;
}

}  // namespace

UMK_CLI_COMMAND(service, "manage system services (MINIX service)", kUsage, run_service);
