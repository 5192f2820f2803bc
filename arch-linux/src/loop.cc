// The kernel's event loop: one thread, one futex word (the doorbell) that
// services, client threads and the SIGCHLD/SIGIO handlers all ring, so no
// event can be missed while the kernel sleeps.
#include <linux/futex.h>
#include <poll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>

#include "host_state.h"
#include "umk/kernel.h"

namespace umk::linux_host {

namespace {

std::int64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

constexpr std::int64_t TICK_NS = 1000000000LL / HZ;
// Default kernel spin after activity; see README ("Spinning").
constexpr int DEFAULT_SPIN_US = 0;

int spin_us() {
    const HostOptions* o = host().options;
    if (o != nullptr && o->spin_us >= 0) return o->spin_us;
    if (const char* e = std::getenv("UMK_KERNEL_SPIN_US")) return std::atoi(e);
    return DEFAULT_SPIN_US;
}

bool any_host_alive() {
    for (const Proc& p : proc_table)
        if (p.p_arch.kind == ArchKind::HOST && p.p_arch.alive) return true;
    return false;
}

}  // namespace

void poll_watched() {
    HostState& h = host();
    if (h.watched.empty()) return;
    static std::vector<pollfd> fds;  // kernel thread only; reused on every wake
    fds.clear();
    for (const WatchedFd& w : h.watched) fds.push_back({w.fd, w.events, 0});
    if (poll(fds.data(), fds.size(), 0) <= 0) return;
    for (const pollfd& f : fds) {
        if (f.revents == 0) continue;
        // Callbacks may (un)watch fds: look the fd up again.
        for (const WatchedFd& w : h.watched) {
            if (w.fd != f.fd) continue;
            FdCallback cb = w.cb;
            cb(f.fd, f.revents);
            break;
        }
    }
}

int run_loop() {
    HostState& h = host();
    KernelPage* kp = h.kpage;
    const std::int64_t spin_ns = std::int64_t{spin_us()} * 1000;
    std::int64_t next_tick = now_ns() + TICK_NS;
    std::int64_t last_work = 0;
    std::uint32_t seen_chld = g_sigchld_count.load() - 1;  // reap once at start
    bool had_hosts = any_host_alive();

    while (!g_stop_requested.load()) {
        std::uint32_t bell = kp->doorbell.load(std::memory_order_acquire);
        bool work = false;

        std::uint32_t chld = g_sigchld_count.load();
        if (chld != seen_chld) {
            seen_chld = chld;
            reap_events();
        }
        report_faults();
        poll_launches();
        poll_watched();
        work |= scan_traps();
        work |= !h.completions.empty();
        deliver_completions();
        report_faults();

        std::int64_t now = now_ns();
        if (now >= next_tick) {
            int n = 0;
            while (now >= next_tick && n++ < HZ) {  // catch up at most a second
                clock_tick();
                next_tick += TICK_NS;
            }
            if (now >= next_tick) next_tick = now + TICK_NS;
            kp->ticks.store(uptime(), std::memory_order_release);
            report_faults();
        }
        if (had_hosts && h.options->exit_when_empty && !any_host_alive()) {
            hlog("umk: every host process is gone; shutting down");
            break;
        }
        if (work) last_work = now;
        if (kp->doorbell.load(std::memory_order_acquire) != bell) continue;

        // Adaptive spin: right after activity the next trap tends to follow
        // within microseconds (a reply, the next request).
        if (spin_ns > 0 && now - last_work < spin_ns) {
            std::int64_t until = last_work + spin_ns;
            bool rang = false;
            for (int i = 0;; ++i) {
                if (kp->doorbell.load(std::memory_order_acquire) != bell) {
                    rang = true;
                    break;
                }
                __builtin_ia32_pause();
                if ((i & 63) == 63 && now_ns() >= until) break;
            }
            if (rang) continue;
        }

        kp->sleeping.store(1, std::memory_order_seq_cst);
        if (kp->doorbell.load(std::memory_order_seq_cst) == bell && !g_stop_requested.load()) {
            std::int64_t wait = next_tick - now_ns();
            if (wait < 0) wait = 0;
            timespec ts{static_cast<time_t>(wait / 1000000000),
                        static_cast<long>(wait % 1000000000)};
            syscall(SYS_futex, &kp->doorbell, FUTEX_WAIT, bell, &ts, nullptr, 0);
        }
        kp->sleeping.store(0, std::memory_order_relaxed);
    }
    return 0;
}

}  // namespace umk::linux_host
