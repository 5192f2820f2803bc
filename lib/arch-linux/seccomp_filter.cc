// The strict seccomp filter every service runs under. Anything not listed
// traps (SCMP_ACT_TRAP: SIGSYS; the umk kernel, which ptraces the service,
// reports it as a crash of the service). A service talks to the world only
// through its SlotPage, so the list is what the trap, glibc's malloc and
// glibc's exit path need. See lib/README.md for the measurements.
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>

#include "pages.h"

namespace umk::linux_host {
#ifndef UMK_SERVICE_SANITIZED
namespace {

int allow(scmp_filter_ctx ctx, int nr) {
    return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}

// mmap and mprotect only without PROT_EXEC: a service never creates code.
int allow_without_exec(scmp_filter_ctx ctx, int nr) {
    return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
}

int allow_futex_on(scmp_filter_ctx ctx, const std::atomic<std::uint32_t>* word) {
    const auto addr = static_cast<scmp_datum_t>(reinterpret_cast<std::uintptr_t>(word));
    return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(futex), 1, SCMP_A0(SCMP_CMP_EQ, addr));
}

}  // namespace
#endif

int install_service_filter() {
#ifdef UMK_SERVICE_SANITIZED
    // Sanitizer runtimes need many more syscalls (reports, /proc/self/maps,
    // the leak checker's threads): sanitized builds run unconfined. See
    // lib/README.md.
    static const char warning[] =
        "umk service: sanitizer build, running WITHOUT the seccomp filter\n";
    (void)!write(2, warning, sizeof warning - 1);
    return 0;
#else
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
    if (!ctx) return -ENOMEM;
    int r = 0;
    const int plain[] = {
        // Leaving: sef_exit's last resort and glibc's exit().
        SCMP_SYS(exit),
        SCMP_SYS(exit_group),
        // glibc malloc: heap (brk), large blocks and arenas (mmap above,
        // munmap), trimming (madvise MADV_DONTNEED).
        SCMP_SYS(munmap),
        SCMP_SYS(madvise),
        SCMP_SYS(brk),
        // Signals the service may receive from the host (none expected) and
        // glibc's blocking of signals around abort().
        SCMP_SYS(rt_sigreturn),
        SCMP_SYS(rt_sigprocmask),
        // Cheap, harmless time and scheduling; arch_idle() sleeps.
        SCMP_SYS(sched_yield),
        SCMP_SYS(clock_gettime),
        SCMP_SYS(clock_nanosleep),
        SCMP_SYS(nanosleep),
        SCMP_SYS(getpid),
        SCMP_SYS(gettid),
    };
    for (int nr : plain) {
        if (r == 0) r = allow(ctx, nr);
    }
    // The trap: FUTEX_WAIT on done_seq, FUTEX_WAKE on the doorbell, both in
    // this service's own SlotPage and nowhere else. A futex on any other
    // word (the kernel's wake word in the read-only KernelPage, say) could
    // only wake the kernel for nothing; a single-threaded service has no
    // other futex to wait on.
    if (r == 0) r = allow_futex_on(ctx, &slot_page->done_seq);
    if (r == 0) r = allow_futex_on(ctx, &slot_page->doorbell);
    if (r == 0) r = allow_without_exec(ctx, SCMP_SYS(mmap));
    if (r == 0) r = allow_without_exec(ctx, SCMP_SYS(mprotect));
    // abort() raises SIGABRT with tgkill(getpid(), gettid(), SIGABRT): allow
    // exactly that, so that a failed assertion reaches the kernel as SIGABRT
    // (a crash with the right name) instead of as a forbidden syscall.
    if (r == 0) {
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 2,
                             SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(getpid())),
                             SCMP_A2(SCMP_CMP_EQ, SIGABRT));
    }
    if (r == 0) r = seccomp_load(ctx);
    seccomp_release(ctx);
    return r;
#endif
}

}  // namespace umk::linux_host
