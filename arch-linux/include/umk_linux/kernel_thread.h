// What host code running on the kernel thread, beside the core, may use
// of the Linux host: the running Host's options, watching fds, the kernel
// log, how a slot is served, stopping. The control proxy (arch-linux/control)
// is such code; it includes this header and not host.h, whose Host and boot
// config bring the kernel's own boot table (umk/kernel.h) with them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "umk/types.h"

namespace umk::linux_host {

struct HostOptions {
    std::string programs_dir;     // relative programs resolve here ("" = next to the executable)
    std::string control_socket;   // --sock: for the control-socket module (not used by the loop)
    int spin_us = -1;             // kernel spin on the doorbell after activity (-1: default)
    bool exit_when_empty = true;  // stop once no host process of the boot is alive
    bool echo_log = true;         // write the kernel log to stdout
    bool handle_term_signals = false;  // SIGINT/SIGTERM stop the loop (the `umk` executable)
    // Receives every complete kernel log line (without '\n'), on the kernel thread.
    std::function<void(std::string_view)> log_sink;
};

// ---- extension points for code running on the kernel thread ----

// Call `on_ready` on the kernel thread whenever `fd` may be readable or
// writable (the fd gets O_ASYNC/F_SETSIG: its SIGIO rings the doorbell; the
// loop polls every watched fd with a zero timeout on each wake). `events`
// are poll() events. Kernel thread only. Unwatch before closing the fd.
using FdCallback = std::function<void(int fd, short revents)>;
void watch_fd(int fd, short events, FdCallback on_ready);
void unwatch_fd(int fd);

// The directory relative program names resolve against.
const std::string& programs_dir();
// The options of the running Host (e.g. control_socket for the control-
// socket slot). Kernel thread, while a Host runs.
const HostOptions& host_options();
// End the running Host's event loop after the current wake-up, as SIGTERM
// does (every child is killed and reaped). Kernel thread, while a Host runs;
// used by the control socket for `umk service shutdown`.
void request_stop();

// A line for the kernel log, as the core's kprintf writes it (to the log
// reader, TTY, once there is one): for host code on the kernel thread that
// is not part of the core, such as the control proxy. Kernel thread.
void kernel_log(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// How the host serves a live process: host pids are the arch's, not the
// core's, so `ps` and `service list` ask here. Kernel thread, while a Host
// runs.
struct HostProcess {
    // What serves the slot (ArchKind): 0 nothing (a kernel task, or no such
    // process), 1 a host process, 2 an in-kernel slot, 3 a client thread.
    std::int32_t kind;
    std::int32_t host_pid;  // a host process's pid, else 0
};
HostProcess host_process(endpoint_t ep);

}  // namespace umk::linux_host
