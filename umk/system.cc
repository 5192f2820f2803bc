// The kernel-call trap (MINIX kernel/system.c kernel_call): check the call
// number and the caller's call mask, run the handler from the table, and
// leave the reply for the arch to copy out when the trap completes.
#include "calls/calls.h"
#include "kernel.h"
#include "umk/com.h"

namespace umk {
namespace {

struct CallTable {
    KernelCallHandler handler[NR_SYS_CALLS] = {};

    constexpr void map(int call, KernelCallHandler h) { handler[call - KERNEL_CALL] = h; }

    constexpr CallTable() {
        map(SYS_CLEAR, do_clear);
        map(SYS_PRIVCTL, do_privctl);
        map(SYS_KILL, do_kill);
        map(SYS_GETKSIG, do_getksig);
        map(SYS_ENDKSIG, do_endksig);
        map(SYS_SETALARM, do_setalarm);
        map(SYS_TIMES, do_times);
        map(SYS_GETINFO, do_getinfo);
        map(SYS_SAFECOPYFROM, do_safecopy);
        map(SYS_SAFECOPYTO, do_safecopy);
        map(SYS_SETGRANT, do_setgrant);
        map(SYS_DIAGCTL, do_diagctl);
        map(SYS_RUNCTL, do_runctl);
        map(SYS_UPDATE, do_update);
        map(SYS_EXIT, do_exit);
        map(SYS_SPAWN, do_spawn);
        map(SYS_VDEVIO, do_vdevio);
    }
};

constexpr CallTable call_table;

int dispatch(Proc& caller, message& m) {
    // m_type is the service's: check the range before subtracting.
    if (!is_kernel_call(m.m_type)) {
        kprintf("SYSTEM: illegal request %d from %s (endpoint %d)\n", m.m_type, caller.p_name,
                caller.p_endpoint);
        return -EBADREQUEST;
    }
    const int call_nr = m.m_type - KERNEL_CALL;
    const Priv* pr = priv(caller);
    if (!pr || !pr->s_k_call_mask.test(call_nr)) return -ECALLDENIED;
    const KernelCallHandler h = call_table.handler[call_nr];
    if (!h) return -EBADREQUEST;  // allowed by the mask but not a umk call (SYS_FORK...)
    return h(caller, m);
}

}  // namespace

void trap_kernel_call(Proc& caller, const message& request) {
    // The arch snapshotted the request; the handlers work on our own copy
    // and write their reply fields into it.
    message m = request;
    m.m_source = caller.p_endpoint;
    int result;
    {
        const LogSubject subject(caller);
        result = dispatch(caller, m);
    }
    // Log text the call added (DIAGCTL, a kprintf): tell the log reader.
    kmess_kick();
    if (result == -EDONTREPLY) return;
    m.m_source = SYSTEM;
    m.m_type = result;
    caller.p_delivermsg = m;
    caller.p_misc_flags |= MF_DELIVERMSG;
    caller.p_retval = OK;
    // A caller that is still runnable completes its trap on return; one the
    // call blocked (it signalled or stopped itself) gets the reply when the
    // arch lets it run again (arch::proc_ready).
}

}  // namespace umk
