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
#include "umk_linux/kernel_thread.h"

namespace umk::linux_host {

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

}  // namespace umk::linux_host
