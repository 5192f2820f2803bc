// The process table: what a process is (MINIX kernel/proc.h). What it may
// do is in its privilege slot (priv.h).
#pragma once

#include "arch_proc.h"  // ArchProc: supplied by each arch (and by the unit tests' fake arch)
#include "priv.h"
#include "umk/config.h"
#include "umk/endpoint.h"
#include "umk/proc_flags.h"
#include "umk/types.h"

namespace umk {

struct Proc {
    // ---- identity: stays with the slot across sys_update ----
    endpoint_t p_endpoint;
    proc_nr_t p_nr;
    Priv* p_priv;

    // ---- the image: moves with the process across sys_update ----
    std::uint32_t p_rts_flags;
    std::uint32_t p_misc_flags;
    char p_name[PROC_NAME_LEN];

    endpoint_t p_sendto_e;   // RTS_SENDING: destination
    endpoint_t p_getfrom_e;  // RTS_RECEIVING: ANY or a specific source
    message p_sendmsg;       // RTS_SENDING: the message, snapshotted at the trap
    message p_delivermsg;    // MF_DELIVERMSG: message for the process, copied out by the arch
    std::int32_t p_retval;   // result of its current trap

    Proc* p_caller_q;  // FIFO of processes blocked sending to this one
    Proc* p_q_link;    // next in the caller queue this one is in

    sigset_t_ p_pending;   // kernel signals waiting for its manager (GETKSIG)
    endpoint_t p_spawner;  // SYS_SPAWN's caller, told by SIGKSTART (NONE: nobody)
    clock_t_ p_user_time;  // ticks charged (SYS_TIMES)

    // Kernel log lines its calls caused this second, and those dropped past
    // the budget (kmess.cc: a service cannot flood the log through the
    // kernel's complaints about it).
    std::uint16_t p_log_lines;
    std::uint32_t p_log_dropped;

    ArchProc p_arch;  // registers / host process / page tables
};

// Table index = slot + NR_TASKS, as in MINIX.
extern Proc proc_table[NR_TASKS + NR_PROCS];
extern Priv priv_table[NR_SYS_PROCS];

inline Proc* proc_addr(proc_nr_t slot) {
    return &proc_table[slot + NR_TASKS];
}
inline bool proc_is_runnable(const Proc& p) {
    return p.p_rts_flags == 0;
}
inline bool proc_is_free(const Proc& p) {
    return (p.p_rts_flags & RTS_SLOT_FREE) != 0;
}
inline Priv* priv(const Proc& p) {
    return p.p_priv;
}
inline bool is_sys_proc(const Proc& p) {
    return p.p_priv && (p.p_priv->s_flags & SYS_PROC);
}

// Set and clear RTS flags. Crossing zero tells the arch (arch::proc_ready /
// arch::proc_unready); every RTS change goes through these two.
void rts_set(Proc& p, std::uint32_t flags);
void rts_unset(Proc& p, std::uint32_t flags);

// Endpoint validation (MINIX isokendpt): the slot of a live process whose
// endpoint is exactly `e`, or false. SELF is not resolved here.
bool isokendpt(endpoint_t e, proc_nr_t* slot);
// The live process for `e`, or nullptr (stale generation, free slot, magic value).
Proc* endpoint_lookup(endpoint_t e);

}  // namespace umk
