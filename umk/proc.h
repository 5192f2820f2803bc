// The process table: what a process is (MINIX kernel/proc.h). What it may
// do is in its privilege slot (priv.h).
#pragma once

#include "arch_proc.h"  // ArchProc: supplied by each arch (and by the unit tests' fake arch)
#include "config.h"
#include "endpoint.h"
#include "priv.h"
#include "types.h"

namespace umk {

// RTS flags: a process runs only while p_rts_flags == 0.
inline constexpr std::uint32_t RTS_SLOT_FREE = 0x01;
inline constexpr std::uint32_t RTS_PROC_STOP = 0x02;     // stopped by RUNCTL or for an update
inline constexpr std::uint32_t RTS_SENDING = 0x04;
inline constexpr std::uint32_t RTS_RECEIVING = 0x08;
inline constexpr std::uint32_t RTS_SIGNALED = 0x10;      // new kernel signals for the manager
inline constexpr std::uint32_t RTS_SIG_PENDING = 0x20;   // held until the manager ends handling
inline constexpr std::uint32_t RTS_P_STOP = 0x40;
inline constexpr std::uint32_t RTS_NO_PRIV = 0x80;       // created, waiting for privileges
inline constexpr std::uint32_t RTS_NO_ENDPOINT = 0x100;  // being cleared

// Misc flags.
inline constexpr std::uint32_t MF_REPLY_PEND = 0x01;   // in a SENDREC: only the reply may arrive
inline constexpr std::uint32_t MF_ASYNMSG = 0x10;      // some SENDA table has messages for it
inline constexpr std::uint32_t MF_DELIVERMSG = 0x40;   // p_delivermsg must be copied out
inline constexpr std::uint32_t MF_SIG_DELAY = 0x80;    // stop wanted once the send completes
inline constexpr std::uint32_t MF_STARTED = 0x4000;    // umk: reached its first trap (proc_started)
inline constexpr std::uint32_t MF_HOST_DEAD = 0x8000;  // umk: its machine context is gone

struct Proc {
    // ---- identity: stays with the slot across sys_update ----
    endpoint_t p_endpoint;
    proc_nr_t p_nr;
    Priv* p_priv;

    // ---- the image: moves with the process across sys_update ----
    std::uint32_t p_rts_flags;
    std::uint32_t p_misc_flags;
    char p_name[PROC_NAME_LEN];

    endpoint_t p_sendto_e;     // RTS_SENDING: destination
    endpoint_t p_getfrom_e;    // RTS_RECEIVING: ANY or a specific source
    message p_sendmsg;         // RTS_SENDING: the message, snapshotted at the trap
    message p_delivermsg;      // MF_DELIVERMSG: message for the process, copied out by the arch
    std::int32_t p_retval;     // result of its current trap

    Proc* p_caller_q;          // FIFO of processes blocked sending to this one
    Proc* p_q_link;            // next in the caller queue this one is in

    sigset_t_ p_pending;       // kernel signals waiting for its manager (GETKSIG)
    endpoint_t p_spawner;      // SYS_SPAWN's caller, told by SIGKSTART (NONE: nobody)
    clock_t_ p_user_time;      // ticks charged (SYS_TIMES)

    ArchProc p_arch;           // registers / host process / page tables
};

// Table index = slot + NR_TASKS, as in MINIX.
extern Proc proc_table[NR_TASKS + NR_PROCS];
extern Priv priv_table[NR_SYS_PROCS];

inline Proc* proc_addr(proc_nr_t slot) { return &proc_table[slot + NR_TASKS]; }
inline bool proc_is_runnable(const Proc& p) { return p.p_rts_flags == 0; }
inline bool proc_is_free(const Proc& p) { return (p.p_rts_flags & RTS_SLOT_FREE) != 0; }
inline Priv* priv(const Proc& p) { return p.p_priv; }
inline bool is_sys_proc(const Proc& p) { return p.p_priv && (p.p_priv->s_flags & SYS_PROC); }

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
