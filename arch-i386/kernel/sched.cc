// Scheduling: one FIFO run queue of runnable processes. The process at the
// head runs; it stays there while it keeps running (a trap that does not
// block returns to it), goes to the tail when its quantum (one clock tick)
// ends, and leaves the queue when it blocks. Nobody runnable: the kernel
// halts until an interrupt (the idle task).
//
// The queue is indexed by process-table slot and kept outside ArchProc:
// when sys_update swaps two images, proc_swapped re-files both slots by
// their new runnability.
#include <initializer_list>

#include "machine.h"
#include "umk/arch.h"
#include "umk/err.h"
#include "umk/kernel.h"
#include "x86.h"

extern "C" [[noreturn]] void resume_frame(umk::TrapFrame* frame);

namespace umk::i386 {
namespace {

constexpr int NR_SLOTS = NR_TASKS + NR_PROCS;
Proc* rq_next[NR_SLOTS];
bool rq_in[NR_SLOTS];
Proc* rq_head;
Proc* rq_tail;
Proc* current;

int index_of(const Proc& p) {
    return static_cast<int>(&p - proc_table);
}

void enqueue(Proc& p) {
    const int i = index_of(p);
    if (rq_in[i]) return;
    rq_in[i] = true;
    rq_next[i] = nullptr;
    if (rq_tail)
        rq_next[index_of(*rq_tail)] = &p;
    else
        rq_head = &p;
    rq_tail = &p;
}

void dequeue(Proc& p) {
    const int i = index_of(p);
    if (!rq_in[i]) return;
    rq_in[i] = false;
    Proc* prev = nullptr;
    for (Proc* q = rq_head; q; prev = q, q = rq_next[index_of(*q)]) {
        if (q != &p) continue;
        if (prev)
            rq_next[index_of(*prev)] = rq_next[i];
        else
            rq_head = rq_next[i];
        if (rq_tail == &p) rq_tail = prev;
        break;
    }
    rq_next[i] = nullptr;
}

// Only slots with an address space are scheduled (the kernel tasks run
// inside the kernel and are never queued).
bool schedulable(const Proc& p) {
    return !is_kernel_slot(p.p_nr) && p.p_arch.page_dir != 0;
}

}  // namespace

Proc* current_proc() {
    return current;
}

// The process whose trap the core is handling right now. While the core
// works, it may make the caller unrunnable and runnable again (rts_set /
// rts_unset) before it has decided the result: the trap is completed only
// when the core has returned (trap.cc), never from proc_ready inside it.
Proc* trap_in_progress;

TrapFrame* schedule() {
    for (;;) {
        if (Proc* p = rq_head) {
            current = p;
            as_switch(p->p_arch.page_dir);
            return &p->p_arch.regs;
        }
        // Idle: interrupts arrive on this stack (trap_dispatch sees ring 0)
        // and may make somebody runnable.
        current = nullptr;
        as_switch(kernel_page_dir());
        wait_for_interrupt();
    }
}

void preempt_current() {
    if (current && rq_head == current && rq_next[index_of(*current)]) {
        dequeue(*current);
        enqueue(*current);
    }
}

void run_first_process() {
    resume_frame(schedule());
}

void complete_trap(Proc& p) {
    ArchProc& a = p.p_arch;
    if (!a.in_trap) return;
    a.in_trap = false;
    a.regs.eax = static_cast<std::uint32_t>(p.p_retval);
    if (p.p_misc_flags & MF_DELIVERMSG) {
        p.p_misc_flags &= ~MF_DELIVERMSG;
        // The buffer was checked when the trap began and the address space
        // cannot shrink, so this fails only on a kernel bug; say so.
        if (!a.msg_addr ||
            arch::copy_to_proc(p, a.msg_addr, &p.p_delivermsg, sizeof(message)) != OK) {
            kprintf("i386: cannot deliver a message to %s (endpoint %d) at 0x%x\n", p.p_name,
                    p.p_endpoint, a.msg_addr);
            a.regs.eax = static_cast<std::uint32_t>(-EFAULT);
        }
    }
}

}  // namespace umk::i386

namespace umk::arch {

void proc_ready(Proc& p) {
    using namespace umk::i386;
    if (!schedulable(p)) return;
    if (&p != trap_in_progress) complete_trap(p);
    info_page_update(p);
    enqueue(p);
}

void proc_unready(Proc& p) {
    using namespace umk::i386;
    // Single processor, non-preemptible kernel: p is not executing now, so
    // leaving the queue is enough to stop it.
    dequeue(p);
}

void proc_swapped(Proc& a, Proc& b) {
    using namespace umk::i386;
    // The images (registers, page directory, trap state) moved with the
    // records; the queue and the info pages' endpoints belong to the slot.
    dequeue(a);
    dequeue(b);
    for (Proc* p : {&a, &b}) {
        info_page_update(*p);
        if (schedulable(*p) && proc_is_runnable(*p)) {
            if (p != trap_in_progress) complete_trap(*p);
            enqueue(*p);
        }
    }
    // Nothing else is cached: CR3 is reloaded by value when the next process
    // is chosen, and the TSS's esp0 is the one kernel stack for everybody.
    if (current == &a || current == &b) current = nullptr;
}

}  // namespace umk::arch
