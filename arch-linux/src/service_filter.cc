// The one seccomp filter of every host process (see arch-linux/README.md,
// "How a slot is confined"). Default action SCMP_ACT_TRAP: anything not
// listed raises SIGSYS, which the tracer reports by syscall name as a crash
// of the process. The launcher installs it before the exec, so whatever
// binary runs in a slot is confined from its first instruction; the list is
// what a static-pie service needs: glibc's startup, the trap on the
// SlotPage, glibc's malloc and its exit and abort paths.
#include "umk_linux/service_filter.h"

#include <asm/prctl.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

#include "umk/arch/linux.h"

namespace umk::linux_host {

namespace {

using Cmp = scmp_arg_cmp;

struct Builder {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
    bool ok = ctx != nullptr;
    ~Builder() {
        if (ctx != nullptr) seccomp_release(ctx);
    }
    void allow(int nr) { ok = ok && seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) == 0; }
    void allow(int nr, Cmp a) { ok = ok && seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, a) == 0; }
    void allow(int nr, Cmp a, Cmp b) {
        ok = ok && seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2, a, b) == 0;
    }
    void allow(int nr, Cmp a, Cmp b, Cmp c) {
        ok = ok && seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 3, a, b, c) == 0;
    }
    void fail(int nr, int err) {
        ok = ok && seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), nr, 0) == 0;
    }
};

constexpr scmp_datum_t datum(std::uint64_t v) {
    return static_cast<scmp_datum_t>(v);
}

const Cmp no_exec = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);

}  // namespace

bool build_service_filter(pid_t self, std::vector<sock_filter>* out) {
    Builder b;

    // The exec exception: the launcher's last call, on the program the
    // kernel opened (EXEC_FD, close-on-exec). After the exec that descriptor
    // is gone and nothing may make another; an absolute path would ignore
    // the descriptor, which is why the tracer also kills a second exec.
    b.allow(SCMP_SYS(execveat), SCMP_A0(SCMP_CMP_EQ, EXEC_FD), SCMP_A4(SCMP_CMP_EQ, AT_EMPTY_PATH));
    // The launcher reports a failed exec on its error pipe (closed at exec).
    b.allow(SCMP_SYS(write), SCMP_A0(SCMP_CMP_EQ, EXEC_ERR_FD));
    b.allow(SCMP_SYS(close));  // only ever closes its own descriptors

    // glibc's static-pie startup, measured with strace (lib/README.md).
    b.allow(SCMP_SYS(arch_prctl), SCMP_A0(SCMP_CMP_EQ, ARCH_SET_FS));  // its TLS
    b.allow(SCMP_SYS(set_tid_address));
    b.allow(SCMP_SYS(set_robust_list));
    b.allow(SCMP_SYS(rseq));
    // Reading its own stack limit: pid 0 (itself), no new limit.
    b.allow(SCMP_SYS(prlimit64), SCMP_A0(SCMP_CMP_EQ, 0), SCMP_A2(SCMP_CMP_EQ, 0));
    // readlink("/proc/self/exe") for $ORIGIN: refused without looking; glibc
    // does without.
    b.fail(SCMP_SYS(readlink), ENOENT);
    b.allow(SCMP_SYS(getrandom));  // malloc's tcache key; no file behind it

    // Leaving: sef_exit's last resort and glibc's exit().
    b.allow(SCMP_SYS(exit));
    b.allow(SCMP_SYS(exit_group));
    // glibc malloc: heap (brk), large blocks and arenas (anonymous mmap),
    // freeing (munmap), trimming (madvise), RELRO after relocation
    // (mprotect). Never PROT_EXEC: a service never makes code.
    b.allow(SCMP_SYS(brk));
    b.allow(SCMP_SYS(munmap));
    b.allow(SCMP_SYS(madvise));
    b.allow(SCMP_SYS(mprotect), no_exec);
    b.allow(SCMP_SYS(mmap), no_exec, SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_ANONYMOUS, MAP_ANONYMOUS));
    // The two pages, each only at its fixed address (exactly there:
    // MAP_FIXED_NOREPLACE), so that the futex rule below names the SlotPage.
    b.allow(SCMP_SYS(mmap), SCMP_A0(SCMP_CMP_EQ, datum(SLOT_PAGE_ADDR)), no_exec,
            SCMP_A4(SCMP_CMP_EQ, SLOT_PAGE_FD));
    b.allow(SCMP_SYS(mmap), SCMP_A0(SCMP_CMP_EQ, datum(KERNEL_PAGE_ADDR)), no_exec,
            SCMP_A4(SCMP_CMP_EQ, KERNEL_PAGE_FD));
    // The trap: FUTEX_WAIT on done_seq, FUTEX_WAKE on the doorbell, both in
    // this service's own SlotPage and nowhere else. A futex on any other
    // word (the kernel's wake word in the KernelPage, say) could only wake
    // the kernel for nothing; a single-threaded service has no other futex.
    b.allow(SCMP_SYS(futex),
            SCMP_A0(SCMP_CMP_EQ, datum(SLOT_PAGE_ADDR + offsetof(SlotPage, done_seq))));
    b.allow(SCMP_SYS(futex),
            SCMP_A0(SCMP_CMP_EQ, datum(SLOT_PAGE_ADDR + offsetof(SlotPage, doorbell))));
    // Signals the service may receive from the host (none expected) and
    // glibc's blocking of signals around abort().
    b.allow(SCMP_SYS(rt_sigreturn));
    b.allow(SCMP_SYS(rt_sigprocmask));
    // Cheap, harmless time and scheduling; arch_idle() sleeps.
    b.allow(SCMP_SYS(sched_yield));
    b.allow(SCMP_SYS(clock_gettime));
    b.allow(SCMP_SYS(clock_nanosleep));
    b.allow(SCMP_SYS(nanosleep));
    b.allow(SCMP_SYS(getpid));
    b.allow(SCMP_SYS(gettid));
    // abort() raises SIGABRT with tgkill(getpid(), gettid(), SIGABRT): allow
    // exactly that, so that a failed assertion reaches the kernel as SIGABRT
    // (a crash with the right name) instead of as a forbidden syscall.
    b.allow(SCMP_SYS(tgkill), SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(self)),
            SCMP_A2(SCMP_CMP_EQ, SIGABRT));
    if (!b.ok) return false;

    int mfd = memfd_create("umk-bpf", MFD_CLOEXEC);
    bool ok = mfd >= 0 && seccomp_export_bpf(b.ctx, mfd) == 0;
    if (ok) {
        off_t len = lseek(mfd, 0, SEEK_END);
        out->resize(static_cast<std::size_t>(len) / sizeof(sock_filter));
        ok = pread(mfd, out->data(), static_cast<std::size_t>(len), 0) == len;
    }
    if (mfd >= 0) close(mfd);
    return ok;
}

namespace {

// The filters of two children differ only in the pid constant, so one
// program is built with a stand-in pid that no other constant of the filter
// equals, and each child gets a copy with the stand-in replaced. The
// template is checked once against a directly built filter for a second
// stand-in; if anything differs (a libseccomp that encodes the pid
// otherwise), every child gets a freshly built filter.
constexpr pid_t kStandInPid = 0x3a5c91e7;
constexpr pid_t kCheckPid = 0x2b17d4c3;

void patch_pid(std::vector<sock_filter>* prog, pid_t from, pid_t to) {
    for (sock_filter& ins : *prog)
        if (ins.k == static_cast<std::uint32_t>(from)) ins.k = static_cast<std::uint32_t>(to);
}

bool make_template(std::vector<sock_filter>* tpl) {
    std::vector<sock_filter> check;
    if (!build_service_filter(kStandInPid, tpl) || !build_service_filter(kCheckPid, &check))
        return false;
    std::vector<sock_filter> patched = *tpl;
    patch_pid(&patched, kStandInPid, kCheckPid);
    if (patched.size() != check.size()) return false;
    for (std::size_t i = 0; i < check.size(); ++i) {
        const sock_filter& a = patched[i];
        const sock_filter& b = check[i];
        if (a.code != b.code || a.jt != b.jt || a.jf != b.jf || a.k != b.k) return false;
    }
    return true;
}

}  // namespace

bool service_filter(pid_t self, std::vector<sock_filter>* out) {
    static std::vector<sock_filter> tpl;
    static int state = 0;  // 0 not tried, 1 template usable, -1 build per child
    if (state == 0) state = make_template(&tpl) ? 1 : -1;
    if (state < 0) return build_service_filter(self, out);
    *out = tpl;
    patch_pid(out, kStandInPid, self);
    return true;
}

}  // namespace umk::linux_host
