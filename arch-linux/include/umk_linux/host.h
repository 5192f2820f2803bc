// The Linux host as a library (target umk_host): everything the `umk`
// executable does, usable in-process by tests and benchmarks.
//
//   Host host(config, options);
//   host.start();                 // kernel thread: spawn the boot processes, run the loop
//   Client* c = host.client("bench");
//   c->sendrec(pong, &m);         // trap like a service, from this thread
//   host.stop();                  // kill and reap every child, join the thread
//
// The core keeps global tables, so at most one Host exists in a process.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "umk/arch/linux.h"
#include "umk/types.h"
#include "umk_linux/boot_config.h"

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

// A thread of the kernel process acting as the process in a `client` slot:
// it has its own SlotPage and traps like a service, but is neither traced
// nor confined. Use each Client from one thread at a time, and only while
// its slot lives (a sys_clear of the slot unmaps the Client's page).
class Client {
  public:
    endpoint_t endpoint() const;
    int send(endpoint_t dst, message* m);
    int receive(endpoint_t src, message* m);
    int sendrec(endpoint_t dst, message* m);
    int sendnb(endpoint_t dst, message* m);
    int notify(endpoint_t dst);
    int kernel_call(int call, message* m);
    // Spin iterations on done_seq before sleeping in futex (0: always sleep).
    void set_spin(int iterations) { spin_ = iterations; }

  private:
    friend class Host;
    int trap(int kind, int call, endpoint_t ep, message* m);
    SlotPage* page_ = nullptr;
    KernelPage* kpage_ = nullptr;
    int spin_ = 200;
};

class Host {
  public:
    Host(BootConfig config, HostOptions options);
    ~Host();  // stop()s
    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;

    // Boot and run the event loop on the calling thread until stop() (or a
    // signal, or every boot process gone). Returns the exit status: 0, or 1
    // if the boot failed (the reason is on the kernel log).
    int run();
    // run() on a new thread; waits until the boot is done. false if it failed.
    bool start();
    // Ask the loop to end (any thread, async-signal-safe); start()ed: join.
    void stop();

    // The client in the `client` slot named `name` (after a successful boot).
    Client* client(const std::string& name);
    // The endpoint of the boot entry `name`, or NONE.
    endpoint_t endpoint_of(const std::string& name) const;
    const BootConfig& config() const { return config_; }

  private:
    BootConfig config_;
    HostOptions options_;
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable cv_;
    int boot_state_ = 0;  // 0 booting, 1 running, -1 failed
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
