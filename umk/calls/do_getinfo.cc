// SYS_GETINFO: information about the system (MINIX kernel/system/do_getinfo.c).
//   reads:  I_REQUEST (m1_i1); GET_PROCTAB also I_VAL_PTR (m1_p1), I_VAL_LEN
//           (m1_i3) a buffer in the caller and its size in bytes
//   reply:  GET_WHOAMI:  m3_i1 caller's endpoint, m3_i2 its privilege flags,
//                        m3_ca1 its name (NUL-terminated)
//           GET_UPTIME:  m2_l1 uptime in ticks, m2_i1 HZ
//           GET_PROCTAB: one proc_info (com.h) per slot, kernel tasks first,
//                        as many whole entries as fit in I_VAL_LEN; the reply's
//                        I_VAL_LEN is the number of slots in the table
//           GET_PROCINFO (umk): the proc_info of the live process I_ENDPT
//                        (m1_i2; SELF is the caller) - one process without
//                        copying the whole table (RS polls a new version's
//                        MF_STARTED)
// Errors: EINVAL for an unknown request (GET_PRIVTAB and GET_KINFO are not
// implemented), a buffer too small for one entry, or (GET_PROCINFO) an
// endpoint that names no live process; EFAULT from the copy.
#include "../kernel.h"
#include "calls.h"

namespace umk {
namespace {

constexpr int NR_SLOTS = NR_TASKS + NR_PROCS;

void whoami(const Proc& caller, message& m) {
    m.m3_i1 = caller.p_endpoint;
    m.m3_i2 = priv(caller) ? static_cast<std::int32_t>(priv(caller)->s_flags) : 0;
    constexpr int max = sizeof(m.m3_ca1) < PROC_NAME_LEN ? sizeof(m.m3_ca1) : PROC_NAME_LEN;
    int i = 0;
    for (; i < max - 1 && caller.p_name[i]; ++i) m.m3_ca1[i] = caller.p_name[i];
    for (; i < static_cast<int>(sizeof(m.m3_ca1)); ++i) m.m3_ca1[i] = '\0';
}

proc_info summary(const Proc& p) {
    proc_info pi{};
    pi.endpoint = p.p_endpoint;
    pi.slot = p.p_nr;
    pi.rts_flags = p.p_rts_flags;
    pi.misc_flags = p.p_misc_flags;
    for (int i = 0; i < PROC_NAME_LEN - 1 && i < static_cast<int>(sizeof(pi.name)) - 1; ++i)
        pi.name[i] = p.p_name[i];
    const Priv* pr = proc_is_free(p) ? nullptr : priv(p);
    pi.sig_mgr = pr ? pr->s_sig_mgr : NONE;
    pi.priv_flags = pr ? pr->s_flags : 0;
    pi.priv_id = pr ? pr->s_id : -1;
    pi.user_time = p.p_user_time;
    return pi;
}

int proctab(Proc& caller, message& m) {
    const vir_bytes dst = m.I_VAL_PTR;
    if (m.I_VAL_LEN < static_cast<int>(sizeof(proc_info))) return -EINVAL;
    int n = m.I_VAL_LEN / static_cast<int>(sizeof(proc_info));
    if (n > NR_SLOTS) n = NR_SLOTS;

    for (int i = 0; i < n; ++i) {
        const proc_info pi = summary(proc_table[i]);
        const int r = arch::copy_to_proc(caller, dst + i * sizeof(proc_info), &pi, sizeof(pi));
        if (r != OK) return r;
    }
    m.I_VAL_LEN = NR_SLOTS;
    return OK;
}

int procinfo(Proc& caller, message& m) {
    if (m.I_VAL_LEN < static_cast<int>(sizeof(proc_info))) return -EINVAL;
    const Proc* p = call_target(caller, m.I_ENDPT);
    if (!p) return -EINVAL;
    const proc_info pi = summary(*p);
    return arch::copy_to_proc(caller, m.I_VAL_PTR, &pi, sizeof(pi));
}

}  // namespace

int do_getinfo(Proc& caller, message& m) {
    switch (m.I_REQUEST) {
        case GET_WHOAMI:
            whoami(caller, m);
            return OK;
        case GET_UPTIME:
            m.m2_l1 = static_cast<std::int64_t>(uptime());
            m.m2_i1 = HZ;
            return OK;
        case GET_PROCTAB:
            return proctab(caller, m);
        case GET_PROCINFO:
            return procinfo(caller, m);
        default:
            return -EINVAL;
    }
}

}  // namespace umk
