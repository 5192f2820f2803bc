// The Linux trap (see umk/arch/linux.h): fill the SlotPage request,
// publish it by bumping call_seq, ring the slot's doorbell, and wait until
// the kernel sets done_seq to our sequence number.
//
// Waiting: the kernel usually answers a kernel call within microseconds, but
// a RECEIVE may wait for ever. Spinning only pays while a core is free for
// the spinner (2 vCPUs shared by the kernel and every service), so we spin a
// bounded, adaptive number of rounds, then sleep in FUTEX_WAIT on done_seq.
// The spin budget grows while spinning succeeds and shrinks when it has to
// fall back to the futex, separately for IPC and kernel calls.
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

#include "pages.h"
#include "umk/com.h"
#include "umk/err.h"
#include "umk_linux/doorbell.h"
#include "umklib/trap.h"

namespace umk {
namespace {

using linux_host::kernel_page;
using linux_host::slot_page;

// Rounds of `pause` (tens of ns each). Overridable for measurements
// (lib/README.md, "Waiting for the kernel").
#ifndef UMK_TRAP_SPIN_MAX
#define UMK_TRAP_SPIN_MAX 256
#endif
constexpr int SPIN_MIN = 0;
constexpr int SPIN_MAX = UMK_TRAP_SPIN_MAX;

struct SpinBudget {
    int rounds = SPIN_MAX / 4;
    void won() { rounds = rounds < SPIN_MAX ? rounds * 2 + 1 : SPIN_MAX; }
    void lost() { rounds = rounds > SPIN_MIN ? rounds / 2 : SPIN_MIN; }
};
SpinBudget ipc_budget;
SpinBudget kcall_budget;

long futex(std::atomic<std::uint32_t>* word, int op, std::uint32_t val) {
    // Not FUTEX_PRIVATE_FLAG: the word is shared with the kernel process.
    return syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), op, val, nullptr, nullptr, 0);
}

void wait_done(std::uint32_t seq, SpinBudget& budget) {
    linux_host::SlotPage* sp = slot_page;
    for (int i = 0; i < budget.rounds; ++i) {
        if (sp->done_seq.load(std::memory_order_acquire) == seq) {
            budget.won();
            return;
        }
        __builtin_ia32_pause();
    }
    budget.lost();
    for (;;) {
        const std::uint32_t seen = sp->done_seq.load(std::memory_order_seq_cst);
        if (seen == seq) break;
        sp->sleeping.store(1, std::memory_order_seq_cst);
        // Re-check after announcing the sleep (pairs with the kernel's
        // "done_seq = seq; if sleeping: wake"); FUTEX_WAIT itself also
        // returns at once if done_seq moved on in between.
        if (sp->done_seq.load(std::memory_order_seq_cst) != seq)
            futex(&sp->done_seq, FUTEX_WAIT, seen);
        sp->sleeping.store(0, std::memory_order_relaxed);
    }
    std::atomic_thread_fence(std::memory_order_acquire);
}

int trap(int kind, int call, endpoint_t ep, message* m, vir_bytes table, SpinBudget& budget) {
    linux_host::SlotPage* sp = slot_page;
    sp->trap = kind;
    sp->call = call;
    sp->endpoint = ep;
    sp->table = table;
    if (m) sp->msg = *m;
    const std::uint32_t seq = sp->call_seq.load(std::memory_order_relaxed) + 1;
    linux_host::publish_call(sp, kernel_page, seq);
    wait_done(seq, budget);
    const int result = sp->result;
    if (m) *m = sp->msg;
    return result;
}

}  // namespace

int arch_trap_ipc(int call, endpoint_t ep, message* m, vir_bytes table) {
    return trap(linux_host::TRAP_IPC, call, ep, m, table, ipc_budget);
}

int arch_trap_kernel_call(message* m) {
    return trap(linux_host::TRAP_KERNEL_CALL, m->m_type, 0, m, 0, kcall_budget);
}

endpoint_t arch_self_endpoint() {
    // Re-read every time: the kernel rewrites it when a live update hands
    // this image another slot's endpoint.
    return __atomic_load_n(&slot_page->self, __ATOMIC_ACQUIRE);
}

void arch_idle() {
    const timespec one_second{1, 0};
    nanosleep(&one_second, nullptr);
}

void arch_exit(int status) {
    _exit(status);
}

}  // namespace umk
