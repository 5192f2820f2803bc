// Traps: find new calls in the SlotPages, snapshot each request once (a
// service may rewrite its page at any moment), hand it to the core, and
// write the result back when the trap completes.
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "host_state.h"
#include "umk/com.h"
#include "umk/err.h"
#include "umk/kernel.h"

namespace umk::linux_host {

namespace {

// The request as the kernel saw it at one instant.
struct Request {
    int trap;
    int call;
    endpoint_t endpoint;
    std::uint64_t table;
    message msg;
};

Request snapshot(const SlotPage& pg) {
    Request r;
    // Each field is read exactly once; the compiler may not re-read the
    // shared page after this point.
    r.trap = *reinterpret_cast<const volatile std::int32_t*>(&pg.trap);
    r.call = *reinterpret_cast<const volatile std::int32_t*>(&pg.call);
    r.endpoint = *reinterpret_cast<const volatile std::int32_t*>(&pg.endpoint);
    r.table = *reinterpret_cast<const volatile std::uint64_t*>(&pg.table);
    std::memcpy(&r.msg, const_cast<const message*>(&pg.msg), sizeof r.msg);
    asm volatile("" ::: "memory");
    return r;
}

void dispatch(Proc& p, const Request& r) {
    switch (r.trap) {
        case TRAP_IPC:
            if (r.call == SENDA)
                trap_ipc(p, SENDA, NONE, nullptr, r.table,
                         static_cast<std::size_t>(static_cast<std::uint32_t>(r.endpoint)));
            else
                trap_ipc(p, r.call, r.endpoint, &r.msg, 0, 0);
            break;
        case TRAP_KERNEL_CALL:
            trap_kernel_call(p, r.msg);
            break;
        default:
            p.p_retval = -EBADCALL;
            break;
    }
}

void run_trap(Proc& p, const Request& r) {
    p.p_arch.in_trap = true;
    host().scan.reset(table_index(p));
    dispatch(p, r);
    if (p.p_arch.in_trap && proc_is_runnable(p)) complete_trap(p);
}

}  // namespace

// A host process is scanned while runnable, and also before its first trap
// even if it may not run yet (RTS_NO_PRIV after SYS_SPAWN): that first trap
// tells the core it has loaded (proc_started), so that RS can wait for it.
void update_scan_bit(Proc& p) {
    const ArchProc& a = p.p_arch;
    const bool host_running = a.kind == ArchKind::HOST && a.alive && !a.stopped;
    const bool awaiting_start = host_running && !(p.p_misc_flags & MF_STARTED);
    bool on = (a.kind == ArchKind::CLIENT || host_running) && !a.in_trap && a.page != nullptr &&
              (proc_is_runnable(p) || awaiting_start);
    host().scan.set(table_index(p), on);
}

bool scan_traps() {
    HostState& h = host();
    bool any = false;
    auto todo = h.scan;
    for (std::size_t i = todo._Find_first(); i < todo.size(); i = todo._Find_next(i)) {
        Proc& p = proc_table[i];
        ArchProc& a = p.p_arch;
        if (!h.scan.test(i) || a.page == nullptr) continue;
        std::uint32_t seq = a.page->call_seq.load(std::memory_order_acquire);
        if (seq == a.last_seq) continue;
        if (a.kind == ArchKind::HOST && !(p.p_misc_flags & MF_STARTED)) {
            proc_started(p);
            any = true;
            if (!proc_is_runnable(p)) {
                // Not consumed: the trap stays pending until the process
                // may run (proc_ready puts it back in the scan set).
                update_scan_bit(p);
                continue;
            }
        }
        Request r = snapshot(*a.page);
        a.last_seq = seq;
        run_trap(p, r);
        any = true;
    }
    return any;
}

void complete_trap(Proc& p) {
    ArchProc& a = p.p_arch;
    if (!a.in_trap) return;
    a.in_trap = false;
    bool has_msg = (p.p_misc_flags & MF_DELIVERMSG) != 0;
    p.p_misc_flags &= ~MF_DELIVERMSG;
    if (a.kind == ArchKind::IN_KERNEL) {
        KernelCompletion c{a.handler, p.p_retval, has_msg, {}};
        if (has_msg) c.msg = p.p_delivermsg;
        if (a.handler != nullptr) host().completions.push_back(c);
        return;
    }
    SlotPage* pg = a.page;
    if (pg == nullptr) return;
    pg->result = p.p_retval;
    if (has_msg) std::memcpy(&pg->msg, &p.p_delivermsg, sizeof(message));
    // seq_cst pairs with the service's `sleeping = 1; recheck done_seq`.
    pg->done_seq.store(a.last_seq, std::memory_order_seq_cst);
    if (pg->sleeping.load(std::memory_order_seq_cst) != 0)
        syscall(SYS_futex, &pg->done_seq, FUTEX_WAKE, 1, nullptr, nullptr, 0);
    update_scan_bit(p);
}

void deliver_completions() {
    HostState& h = host();
    while (!h.completions.empty()) {
        std::vector<KernelCompletion> batch;
        batch.swap(h.completions);
        for (const KernelCompletion& c : batch)
            c.handler->on_trap_done(c.result, c.has_msg ? &c.msg : nullptr);
    }
}

// ---- KernelSlot traps ----

namespace {
Proc* kernel_slot_proc(const KernelSlot& k) {
    if (k.slot() < 0 || k.slot() >= NR_PROCS) return nullptr;
    Proc* p = proc_addr(k.slot());
    return p->p_arch.kind == ArchKind::IN_KERNEL && p->p_arch.handler == &k ? p : nullptr;
}
}  // namespace

int KernelSlot::ipc(int call, endpoint_t ep, const message* m) {
    Proc* p = kernel_slot_proc(*this);
    if (p == nullptr) return -EINVAL;
    if (p->p_arch.in_trap || !proc_is_runnable(*p)) return -EBUSY;
    Request r{TRAP_IPC, call, ep, 0, m ? *m : message{}};
    run_trap(*p, r);
    return OK;
}

int KernelSlot::kernel_call(const message& m) {
    Proc* p = kernel_slot_proc(*this);
    if (p == nullptr) return -EINVAL;
    if (p->p_arch.in_trap || !proc_is_runnable(*p)) return -EBUSY;
    Request r{TRAP_KERNEL_CALL, 0, 0, 0, m};
    run_trap(*p, r);
    return OK;
}

}  // namespace umk::linux_host
