// The kernel's event loop: one thread. It waits (futex_waitv) on its own
// wake word, which only the kernel process writes (its SIGCHLD/SIGIO
// handlers, its client threads), and on the doorbell of every slot that may
// trap next, each in that service's own page: so no event is missed while
// the kernel sleeps, and no service can stop the kernel from waking for
// another (umk/arch/linux.h).
#include <linux/futex.h>
#include <poll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <ctime>

#include "host_state.h"
#include "umk/kernel.h"

namespace umk::linux_host {

std::int64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

namespace {

constexpr std::int64_t TICK_NS = 1000000000LL / HZ;
// Default kernel spin after activity; see README ("Spinning").
constexpr int DEFAULT_SPIN_US = 0;

int spin_us() {
    const HostOptions* o = host().options;
    if (o != nullptr && o->spin_us >= 0) return o->spin_us;
    if (const char* e = std::getenv("UMK_KERNEL_SPIN_US")) return std::atoi(e);
    return DEFAULT_SPIN_US;
}

// A slot that rings its doorbell this many times in one tick without a new
// trap is left out of the wait until the next tick: its traps are then seen
// at the next wake for anyone or at the tick, so ringing for nothing delays
// only itself and cannot keep the kernel from sleeping.
constexpr std::uint32_t IDLE_RING_LIMIT = 16;

bool any_host_alive() {
    for (const Proc& p : proc_table)
        if (p.p_arch.kind == ArchKind::HOST && p.p_arch.alive) return true;
    return false;
}

// Traps published in the pages of the scan set but not consumed yet.
bool trap_pending() {
    HostState& h = host();
    for (std::size_t i = h.scan._Find_first(); i < h.scan.size(); i = h.scan._Find_next(i)) {
        const ArchProc& a = proc_table[i].p_arch;
        if (a.page != nullptr && a.page->call_seq.load(std::memory_order_seq_cst) != a.last_seq)
            return true;
    }
    return false;
}

void unmute_doorbells() {
    for (Proc& p : proc_table) {
        p.p_arch.idle_rings = 0;
        p.p_arch.bell_muted = false;
    }
}

// Sleep until the wake word leaves `wake_seen`, a doorbell of the scan set
// rings, or `deadline_ns` (CLOCK_MONOTONIC) passes. The order makes a lost
// wake-up impossible (see publish_call in umk_linux/doorbell.h): announce
// the sleep, read each doorbell, check once more that no trap is waiting,
// then wait for any of those words to change.
void wait_for_work(KernelPage* kp, std::uint32_t wake_seen, std::int64_t deadline_ns) {
    HostState& h = host();
    static futex_waitv waiters[FUTEX_WAITV_MAX];  // kernel thread only
    static std::size_t slot_of[FUTEX_WAITV_MAX];
    kp->sleeping.store(1, std::memory_order_seq_cst);
    int n = 0;
    waiters[n++] = {wake_seen, reinterpret_cast<std::uintptr_t>(&kp->wake), FUTEX_32, 0};
    bool left_out = false;
    for (std::size_t i = h.scan._Find_first(); i < h.scan.size(); i = h.scan._Find_next(i)) {
        const ArchProc& a = proc_table[i].p_arch;
        if (a.page == nullptr || a.bell_muted) continue;
        if (n == FUTEX_WAITV_MAX) {
            left_out = true;  // more running slots than one wait takes: poll the rest
            break;
        }
        waiters[n] = {a.page->doorbell.load(std::memory_order_seq_cst),
                      reinterpret_cast<std::uintptr_t>(&a.page->doorbell), FUTEX_32, 0};
        slot_of[n++] = i;
    }
    if (trap_pending() || kp->wake.load(std::memory_order_seq_cst) != wake_seen ||
        g_stop_requested.load()) {
        kp->sleeping.store(0, std::memory_order_relaxed);
        return;
    }
    if (left_out) deadline_ns = std::min(deadline_ns, now_ns() + 1000000);
    timespec abs{static_cast<time_t>(deadline_ns / 1000000000),
                 static_cast<long>(deadline_ns % 1000000000)};
    syscall(SYS_futex_waitv, waiters, n, 0, &abs, CLOCK_MONOTONIC);
    kp->sleeping.store(0, std::memory_order_relaxed);

    // Doorbells that moved with no new call behind them were rung for
    // nothing (a service publishes call_seq before it rings).
    for (int k = 1; k < n; ++k) {
        Proc& p = proc_table[slot_of[k]];
        ArchProc& a = p.p_arch;
        if (a.page->doorbell.load(std::memory_order_acquire) == waiters[k].val ||
            a.page->call_seq.load(std::memory_order_acquire) != a.last_seq)
            continue;
        if (++a.idle_rings < IDLE_RING_LIMIT || a.bell_muted) continue;
        a.bell_muted = true;
        if (!a.bell_warned) {
            a.bell_warned = true;
            hlog(
                "umk: %s (endpoint %d) rings its doorbell without calling; its doorbell is "
                "ignored until the next tick",
                p.p_name, p.p_endpoint);
        }
    }
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
        const std::uint32_t bell = kp->wake.load(std::memory_order_acquire);
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
            unmute_doorbells();
            check_stop_deadlines();
            report_faults();
        }
        if (had_hosts && h.options->exit_when_empty && !any_host_alive()) {
            hlog("umk: every host process is gone; shutting down");
            break;
        }
        if (work) last_work = now;
        if (kp->wake.load(std::memory_order_acquire) != bell || trap_pending()) continue;

        // Adaptive spin: right after activity the next trap tends to follow
        // within microseconds (a reply, the next request).
        if (spin_ns > 0 && now - last_work < spin_ns) {
            std::int64_t until = last_work + spin_ns;
            bool rang = false;
            for (int i = 0;; ++i) {
                if (kp->wake.load(std::memory_order_acquire) != bell || trap_pending()) {
                    rang = true;
                    break;
                }
                __builtin_ia32_pause();
                if ((i & 63) == 63 && now_ns() >= until) break;
            }
            if (rang) continue;
        }

        wait_for_work(kp, bell, next_tick);
    }
    return 0;
}

}  // namespace umk::linux_host
