// Signal numbers as the kernel and the signal managers see them.
//
// Regular signals use Linux's numbers (which agree with MINIX for the ones
// that matter: HUP INT QUIT ILL TRAP ABRT FPE KILL SEGV PIPE ALRM TERM), so a
// crash the Linux host observes maps one to one. Kernel signals, which only
// travel from the kernel to a signal manager, live above the regular range.
#pragma once

#include "umk/names.h"

#include "umk/types.h"

#ifndef SIGHUP
#define SIGHUP 1
#endif
#ifndef SIGINT
#define SIGINT 2
#endif
#ifndef SIGQUIT
#define SIGQUIT 3
#endif
#ifndef SIGILL
#define SIGILL 4
#endif
#ifndef SIGTRAP
#define SIGTRAP 5
#endif
#ifndef SIGABRT
#define SIGABRT 6
#endif
#ifndef SIGBUS
#define SIGBUS 7
#endif
#ifndef SIGFPE
#define SIGFPE 8
#endif
#ifndef SIGKILL
#define SIGKILL 9
#endif
#ifndef SIGUSR1
#define SIGUSR1 10
#endif
#ifndef SIGSEGV
#define SIGSEGV 11
#endif
#ifndef SIGUSR2
#define SIGUSR2 12
#endif
#ifndef SIGPIPE
#define SIGPIPE 13
#endif
#ifndef SIGALRM
#define SIGALRM 14
#endif
#ifndef SIGTERM
#define SIGTERM 15
#endif
#ifndef SIGCHLD
#define SIGCHLD 17
#endif
#ifndef SIGSYS
#define SIGSYS 31
#endif

static_assert(SIGHUP == 1 && SIGABRT == 6 && SIGBUS == 7 && SIGKILL == 9 && SIGSEGV == 11 &&
                  SIGTERM == 15 && SIGCHLD == 17 && SIGSYS == 31,
              "regular signal numbers follow Linux");

namespace umk {

inline constexpr int NSIG_REGULAR = 32;  // regular signals are 1..31

// Kernel signals (MINIX include/signal.h), delivered only to signal managers
// and system processes, never by a user.
inline constexpr int SIGKSTART = 57;   // umk: a process it spawned has started (proc_started)
inline constexpr int SIGKMEM = 58;     // memory request for VM
inline constexpr int SIGKPF = 59;      // page fault for VM
inline constexpr int SIGKMESS = 60;    // new kernel log text (for TTY and LOG)
inline constexpr int SIGKSIGSM = 61;   // a signal for a process that is its own manager
inline constexpr int SIGKSIG = 62;     // a signal manager has kernel signals to collect
inline constexpr int SIGKNDELAY = 63;  // a delayed stop (RC_DELAY) has happened
inline constexpr int NR_SIGS = 64;     // valid signals are 1..63 (not NSIG: glibc has that macro)

constexpr bool sig_valid(int sig) {
    return sig > 0 && sig < NR_SIGS;
}
constexpr bool sig_is_kernel(int sig) {
    return sig >= SIGKSTART && sig < NR_SIGS;
}
constexpr sigset_t_ sig_bit(int sig) {
    return sigset_t_{1} << sig;
}
constexpr void sig_add(sigset_t_& set, int sig) {
    set |= sig_bit(sig);
}
constexpr void sig_del(sigset_t_& set, int sig) {
    set &= ~sig_bit(sig);
}
constexpr bool sig_has(sigset_t_ set, int sig) {
    return (set & sig_bit(sig)) != 0;
}

// Signals that end a system process (MINIX PM's termination set). The first
// six are "lethal": the process cannot have done it on purpose.
constexpr bool sig_is_termination(int sig) {
    return sig == SIGILL || sig == SIGBUS || sig == SIGFPE || sig == SIGSEGV || sig == SIGABRT ||
           sig == SIGSYS || sig == SIGTRAP || sig == SIGKILL || sig == SIGPIPE;
}
constexpr bool sig_is_lethal(int sig) {
    return sig == SIGILL || sig == SIGBUS || sig == SIGFPE || sig == SIGSEGV || sig == SIGABRT ||
           sig == SIGSYS || sig == SIGTRAP;
}

}  // namespace umk
