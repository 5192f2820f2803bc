// The privilege table: what a process may do, apart from what it is
// (proc.h). The split lets sys_update swap the image of a process while the
// slot keeps its identity (MINIX kernel/priv.h).
#pragma once

#include "bitmap.h"
#include "timer.h"
#include "umk/com.h"
#include "umk/config.h"
#include "umk/priv_flags.h"
#include "umk/types.h"

namespace umk {

inline constexpr int NR_IO_RANGE = 32;
inline constexpr int NR_MEM_RANGE = 10;
inline constexpr int NR_IRQ = 4;

struct io_range {
    std::uint32_t ior_base, ior_limit;
};
struct mem_range {
    vir_bytes mr_base, mr_limit;
};

struct Priv {
    proc_nr_t s_proc_nr;  // the slot this privilege belongs to (NONE if free)
    sys_id_t s_id;        // index in the privilege table; bit position in masks
    std::uint32_t s_flags;

    // Asynchronous send table (SENDA), in the memory of s_asynendpoint.
    vir_bytes s_asyntab;
    std::uint32_t s_asynsize;
    endpoint_t s_asynendpoint;

    std::uint32_t s_trap_mask;           // bit n: IPC trap n allowed
    Bitmap<NR_SYS_PROCS> s_ipc_to;       // priv ids it may send to
    Bitmap<NR_SYS_CALLS> s_k_call_mask;  // bit k: kernel call KERNEL_CALL+k allowed
    endpoint_t s_sig_mgr;                // who handles its signals (NONE: nobody)

    Bitmap<NR_SYS_PROCS> s_notify_pending;  // notifications by sender priv id
    std::uint32_t s_int_pending;            // pending interrupt bits (HARDWARE notifies)
    sigset_t_ s_sig_pending;                // pending signals (SYSTEM notifies)
    Timer s_alarm_timer;                    // SETALARM

    // Memory grants (SETGRANT), in the memory of the process.
    vir_bytes s_grant_table;
    std::int32_t s_grant_entries;

    // Hardware access (i386 drivers).
    int s_nr_io_range, s_nr_mem_range, s_nr_irq;
    io_range s_io_tab[NR_IO_RANGE];
    mem_range s_mem_tab[NR_MEM_RANGE];
    int s_irq_tab[NR_IRQ];

    // Registered for SIGKMESS (SYS_DIAGCTL REGISTER): told about new kernel
    // log text, which it takes with DIAGCTL TAKE (TTY). Travels with the
    // image on sys_update (a new version registers in its own init); a
    // cleared slot's record starts without it.
    bool s_diag_sig;

    // SYS_UPD_RESTART: the message a dead image had been handed but never
    // read (it died blocked receiving, and a SEND, SENDNB, SENDA or notify
    // completed its receive), kept with the slot for the replica that took
    // over the endpoint; its first receive that accepts the source (and is
    // not waiting for a reply) takes it. Stays with the slot on sys_update; a
    // cleared slot's record starts without it.
    bool s_salvaged;
    message s_salvaged_msg;
};

}  // namespace umk
