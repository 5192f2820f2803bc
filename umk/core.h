// Interfaces between the parts of the core (IPC, kernel calls, signals,
// clock). Not for the arch: that uses kernel.h.
#pragma once

#include "proc.h"
#include "timer.h"
#include "umk/types.h"

namespace umk {

// ---- IPC (umk/ipc/) ----
// Flags for mini_send.
inline constexpr int IPC_NON_BLOCKING = 0x80;  // SENDNB: fail with ENOTREADY instead of blocking
inline constexpr int IPC_FROM_KERNEL = 0x100;  // the kernel itself sends (no masks checked)

// The primitives, after the trap-level checks of do_ipc. Each returns OK,
// a negative error, or SUSPEND when the caller is now blocked.
inline constexpr int SUSPEND = -998;
int mini_send(Proc& caller, endpoint_t dst, const message& m, int flags);
int mini_receive(Proc& caller, endpoint_t src, int flags);
int mini_notify(const Proc& caller, endpoint_t dst);
int mini_senda(Proc& caller, vir_bytes table, std::size_t count);

// A notification from a kernel task (CLOCK, SYSTEM, HARDWARE) to p.
void notify_from_kernel(endpoint_t kernel_task, Proc& p);

// Make sure nobody stays blocked on p and p sits in no queue, before its
// slot is freed: processes blocked sending to p fail with EDSTDIED, those
// receiving from p fail with ESRCDIED; p is taken out of the caller queue it
// is in; notification bits it set are dropped. Queued messages *to* other
// processes from p are dropped with it (p is dead).
void ipc_clear_proc(Proc& p);
// Every process waiting for a reply from endpoint `e` (the receive half of a
// SENDREC) fails with `err`; plain receives from `e` go on waiting.
void ipc_fail_reply_waiters(endpoint_t e, int err);

// After sys_update swapped the images of a and b: the caller queues and
// pending asynchronous deliveries stay with the endpoint (slot), so that no
// message addressed to the endpoint is lost or delivered twice.
void ipc_fix_after_swap(Proc& a, Proc& b);

// Deliver kernel-built message m to p (p must be receiving from its source
// or ANY). Used by the kernel-call trap for replies.
void deliver_to(Proc& p, const message& m);

// ---- Kernel calls (umk/system.cc, umk/calls/) ----
// Resolve SELF to the caller.
inline endpoint_t resolve_self(const Proc& caller, endpoint_t e) {
    return e == SELF ? caller.p_endpoint : e;
}

// ---- Signals (umk/signal.cc) ----
// MINIX cause_sig: route sig for p to p's signal manager.
void cause_sig(Proc& p, int sig);
// Post signal sig to a system process directly (pending set + SYSTEM notify).
void send_sig(Proc& p, int sig);
// A process marked MF_SIG_DELAY (SYS_RUNCTL RC_DELAY) is no longer sending:
// clears the flag and tells its manager with SIGKNDELAY. The IPC code calls
// this whenever a blocked send of such a process ends (delivered, or failed
// because the destination died).
void sig_delay_done(Proc& p);

// ---- Clock (umk/clock.cc) ----
// Uptime back to 0 and no active timer; kernel_init calls it.
void clock_reset();
void set_timer(Timer& t, clock_t_ exp_time, TimerFn fn, std::int64_t arg);
void reset_timer(Timer& t);
clock_t_ timer_left(const Timer& t);

// ---- Privileges (umk/priv.cc) ----
// Allocate a privilege slot (static id, or the first free dynamic one).
// Returns nullptr when none is free or the static id is taken.
Priv* priv_alloc(sys_id_t static_id, bool dynamic);
void priv_free(Priv& pr);
Priv* priv_by_id(sys_id_t id);
// The shared privilege structure of user processes.
Priv* user_priv();
// The basic kernel calls every system process may make (MINIX SYS_BASIC_CALLS).
void priv_set_basic_calls(Priv& pr);
// Fill pr with the defaults of a system process (MINIX SYS_PRIV_SET_SYS).
void priv_set_sys_defaults(Priv& pr, endpoint_t sig_mgr);
// Free every privilege id and set up the shared user record (kernel_init).
void priv_reset_all();

// ---- Kernel messages (umk/kmess.cc) ----
// The log ring (MINIX struct kmessages). kprintf and SYS_DIAGCTL append to
// it. Without a live registered reader (priv s_diag_sig) the text is
// written at once with arch::log_write; with one, it stays until the reader
// takes it (kmess_take) and the reader gets SIGKMESS.
void kmess_reset();
void kmess_append(const char* text, std::size_t len);  // the kernel's own text
// A process's text (DIAGCTL DIAG): each line labelled "[NAME] " with the
// process's name, control characters escaped as \xNN (kmess.cc).
void kmess_append_from(const Proc& p, const char* text, std::size_t len);
// After a kernel call: raise SIGKMESS for text added since the last time
// (or, with no live reader, write it directly).
void kmess_kick();
// Every clock tick: the same, and write the unshown text directly when its
// reader has died or stopped since.
void kmess_tick();
// Bytes appended but not yet shown.
std::size_t kmess_unshown();
// The log reader's two steps, so that a reader dying at any moment loses
// nothing: kmess_take copies up to `max` bytes from the first unshown one
// to `dst` in p (*got: bytes copied; OK or -EFAULT) and lends them to the
// reader; kmess_shown marks `n` of the lent bytes shown once the reader
// has written them (-EINVAL for more than is lent). What is lent and not
// yet shown is lent again by the next take, or written by the kernel.
int kmess_take(Proc& p, vir_bytes dst, std::size_t max, std::size_t* got);
int kmess_shown(std::size_t n);
// Kernel log lines caused by a process: while a trap of p runs, kprintf
// counts its lines against p's budget (KMESS_LINES_PER_SECOND); past it the
// lines are dropped and counted. Once a second kmess_budget_tick() says how
// many were dropped, per process, and refills the budgets.
class LogSubject {
  public:
    explicit LogSubject(Proc& p);
    ~LogSubject();
    LogSubject(const LogSubject&) = delete;
    LogSubject& operator=(const LogSubject&) = delete;

  private:
    Proc* prev_;
};
inline constexpr int KMESS_LINES_PER_SECOND = 32;
void kmess_budget_tick();
// A reader registered / unregistered: make sure the waiting text is
// signalled to it / written out if no reader is left.
void kmess_reader_added();
void kmess_reader_removed();

// ---- Slots (umk/proc.cc) ----
// Free slot for a new process, or nullptr.
Proc* proc_alloc_slot();
// Reset a slot to free, bumping its generation for the next user.
void proc_free_slot(Proc& p);

}  // namespace umk
