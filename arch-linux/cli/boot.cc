// umk boot: start the kernel with a boot config and run until SIGINT/SIGTERM
// or until every boot process is gone.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "socket_dir.h"
#include "umk_linux/boot_config.h"
#include "umk_linux/cli.h"
#include "umk_linux/host.h"

namespace {

const char kUsage[] =
    "usage: umk boot [--config FILE] [--programs DIR] [--sock PATH] [--daemon]\n"
    "\n"
    "Boot the kernel: start every process of the boot config, then serve\n"
    "their traps until SIGINT/SIGTERM or until every boot process is gone.\n"
    "The kernel log goes to stdout, one line at a time.\n"
    "\n"
    "  --config FILE   boot config (default: etc/umk/boot.conf next to the\n"
    "                  executable, or ../etc/umk/boot.conf when installed)\n"
    "  --programs DIR  where relative program names are found (default:\n"
    "                  libexec/umk next to the executable, or ../libexec/umk)\n"
    "  --sock PATH     control socket path, for the control-socket module\n"
    "  --daemon        detach: fork, print the kernel's pid, return at once\n"
    "\n"
    "Clock ticks per second (HZ) are fixed at compile time (UMK_HZ).\n"
    "The boot config format is described in arch-linux/README.md.\n";

std::string exe_dir() {
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return ".";
    buf[n] = '\0';
    std::string s(buf);
    return s.substr(0, s.rfind('/'));
}

std::string default_config() {
    std::string d = exe_dir();
    for (std::string c : {d + "/etc/umk/boot.conf", d + "/../etc/umk/boot.conf"})
        if (access(c.c_str(), R_OK) == 0) return c;
    return d + "/etc/umk/boot.conf";
}

// A config with a control proxy needs its socket: refuse to boot a second,
// unreachable system on a live one, or in a directory someone else could
// use to answer for us. A stale socket (no listener) is replaced later by
// the listener. 0, or the exit status.
int claim_control_socket(const umk::linux_host::BootConfig& cfg, const std::string& sock_opt) {
    const bool has_proxy = std::any_of(cfg.entries.begin(), cfg.entries.end(), [](const auto& e) {
        return e.kind == umk::linux_host::BootKind::IN_KERNEL && e.program == "ctlsock";
    });
    if (!has_proxy) return 0;
    const std::string sock = sock_opt.empty() ? umk::control::default_socket_path() : sock_opt;
    if (std::string why = umk::control::prepare_socket_dir(sock); !why.empty()) {
        std::fprintf(stderr, "umk boot: %s\n", why.c_str());
        return 1;
    }
    if (umk::control::socket_is_live(sock)) {
        std::fprintf(stderr,
                     "umk boot: %s is served by a running kernel: stop it first (umk service "
                     "shutdown) or use --sock PATH\n",
                     sock.c_str());
        return 1;
    }
    return 0;
}

int run_boot(int argc, char** argv) {
    std::string config_path;
    umk::linux_host::HostOptions opt;
    opt.handle_term_signals = true;
    bool daemon = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](const char* what) -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "umk boot: %s needs a value\n", what);
                return nullptr;
            }
            return argv[++i];
        };
        if (a == "--config") {
            const char* v = value("--config");
            if (!v) return 2;
            config_path = v;
        } else if (a == "--programs") {
            const char* v = value("--programs");
            if (!v) return 2;
            opt.programs_dir = v;
        } else if (a == "--sock") {
            const char* v = value("--sock");
            if (!v) return 2;
            opt.control_socket = v;
        } else if (a == "--daemon") {
            daemon = true;
        } else {
            std::fprintf(stderr, "umk boot: unknown argument '%s'\n%s", a.c_str(), kUsage);
            return 2;
        }
    }
    if (config_path.empty()) config_path = default_config();
    umk::linux_host::BootConfig cfg;
    std::string error;
    if (!umk::linux_host::load_boot_config(config_path, &cfg, &error)) {
        std::fprintf(stderr, "umk boot: %s\n", error.c_str());
        return 1;
    }
    if (const int r = claim_control_socket(cfg, opt.control_socket); r != 0) return r;
    if (daemon) {
        std::fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            std::perror("umk boot: fork");
            return 1;
        }
        if (pid > 0) {
            std::printf("%d\n", pid);
            return 0;
        }
        setsid();
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) dup2(devnull, 0);
    }
    umk::linux_host::Host host(std::move(cfg), std::move(opt));
    return host.run();
}

}  // namespace

UMK_CLI_COMMAND(boot, "boot the kernel and its processes", kUsage, run_boot);
