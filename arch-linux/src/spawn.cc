// Creating host processes: one sealed memfd page per slot, one kernel page
// for everybody, fork, a launcher seccomp filter, ptrace, execve.
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "host_state.h"
#include "umk/arch.h"
#include "umk/err.h"
#include "umk_linux/fd_io.h"

extern char** environ;

namespace umk::linux_host {

namespace {

constexpr std::size_t PAGE = 4096;

// A sealed one-page memfd: nobody can shrink it under the kernel (which
// would turn the kernel's next access into a SIGBUS) or grow it.
int sealed_page_fd(const char* name) {
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return -1;
    if (ftruncate(fd, PAGE) != 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

void* map_page(int fd) {
    void* m = mmap(nullptr, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    return m == MAP_FAILED ? nullptr : m;
}

// The launcher filter: installed in the child before execve, it stays for
// the life of the process under the service library's strict one. It lets
// execve and the dynamic loader work but already forbids what a service
// must never do. Per child, because "kill somebody else" needs its pid.
bool launcher_filter(pid_t self, std::vector<sock_filter>* out) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (ctx == nullptr) return false;
    bool ok = true;
    auto trap = [&](int nr) { ok = ok && seccomp_rule_add(ctx, SCMP_ACT_TRAP, nr, 0) == 0; };
    for (int nr : {SCMP_SYS(socket),
                   SCMP_SYS(socketpair),
                   SCMP_SYS(connect),
                   SCMP_SYS(bind),
                   SCMP_SYS(listen),
                   SCMP_SYS(accept),
                   SCMP_SYS(accept4),
                   SCMP_SYS(ptrace),
                   SCMP_SYS(process_vm_readv),
                   SCMP_SYS(process_vm_writev),
                   SCMP_SYS(fork),
                   SCMP_SYS(vfork),
                   SCMP_SYS(unshare),
                   SCMP_SYS(setns),
                   SCMP_SYS(mount),
                   SCMP_SYS(bpf),
                   SCMP_SYS(perf_event_open),
                   SCMP_SYS(userfaultfd),
                   SCMP_SYS(io_uring_setup),
                   SCMP_SYS(keyctl),
                   SCMP_SYS(add_key),
                   SCMP_SYS(pidfd_open),
                   SCMP_SYS(pidfd_send_signal),
                   SCMP_SYS(pidfd_getfd),
                   SCMP_SYS(kcmp),
                   SCMP_SYS(setsid),
                   SCMP_SYS(setpgid)})
        trap(nr);
    // clone3 cannot be filtered by its flags (they sit in memory): make libc
    // fall back to clone, whose flags we can check. Threads are fine;
    // new processes are not.
    ok = ok && seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) == 0;
    ok = ok && seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(clone), 1,
                                SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0)) == 0;
    // Signals only to itself.
    ok = ok && seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(kill), 1,
                                SCMP_A0(SCMP_CMP_NE, static_cast<scmp_datum_t>(self))) == 0;
    ok = ok && seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(tgkill), 1,
                                SCMP_A0(SCMP_CMP_NE, static_cast<scmp_datum_t>(self))) == 0;
    ok = ok && seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(tkill), 0) == 0;
    int mfd = ok ? memfd_create("umk-bpf", MFD_CLOEXEC) : -1;
    if (mfd >= 0 && seccomp_export_bpf(ctx, mfd) == 0) {
        off_t len = lseek(mfd, 0, SEEK_END);
        out->resize(static_cast<std::size_t>(len) / sizeof(sock_filter));
        ok = pread(mfd, out->data(), static_cast<std::size_t>(len), 0) == len;
    } else {
        ok = false;
    }
    if (mfd >= 0) close(mfd);
    seccomp_release(ctx);
    return ok;
}

// The child between fork and execve: only async-signal-safe calls.
[[noreturn]] void child(pid_t kernel, int slot_fd, int kpage_fd, int sync_rd, int err_wr,
                        const char* path, char* const* argv, sock_filter* filter,
                        std::size_t filter_cap) {
    int err = 0;
    auto fail = [&](int e) {
        err = e;
        write_all(err_wr, &err, sizeof err);
        close(err_wr);  // before the exit stop, or the kernel would wait for EOF forever
        _exit(127);
    };
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(errno);
    if (getppid() != kernel) _exit(127);  // the kernel is already gone
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s = 1; s < 32; ++s) signal(s, SIG_DFL);

    int s = fcntl(slot_fd, F_DUPFD, 10), k = fcntl(kpage_fd, F_DUPFD, 10);
    int rd = fcntl(sync_rd, F_DUPFD_CLOEXEC, 10), wr = fcntl(err_wr, F_DUPFD_CLOEXEC, 10);
    if (s < 0 || k < 0 || rd < 0 || wr < 0) fail(errno);
    err_wr = wr;
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    if (dup2(s, SLOT_PAGE_FD) < 0 || dup2(k, KERNEL_PAGE_FD) < 0) fail(errno);
    // Everything else goes at execve (the error pipe too: EOF means success).
    if (syscall(SYS_close_range, KERNEL_PAGE_FD + 1, ~0U, CLOSE_RANGE_CLOEXEC) != 0) fail(errno);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(errno);

    // The kernel sends the launcher filter once it has seized us.
    std::uint32_t n = 0;
    if (!read_all(rd, &n, sizeof n) || n == 0 || n > filter_cap ||
        !read_all(rd, filter, n * sizeof(sock_filter)))
        fail(ENOEXEC);
    sock_fprog prog{static_cast<unsigned short>(n), filter};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) fail(errno);
    execve(path, argv, environ);
    fail(errno);
    _exit(127);
}

}  // namespace

bool create_kernel_page() {
    HostState& h = host();
    int fd = sealed_page_fd("umk-kernel");
    if (fd < 0) return false;
    void* m = map_page(fd);
    if (m == nullptr) {
        close(fd);
        return false;
    }
    h.kpage_fd = fd;
    h.kpage = new (m) KernelPage{};
    h.kpage->hz.store(HZ);
    return true;
}

int make_slot_page(Proc& p) {
    char name[32];
    std::snprintf(name, sizeof name, "umk-slot-%d", p.p_nr);
    int fd = sealed_page_fd(name);
    if (fd < 0) return -ENOMEM;
    void* m = map_page(fd);
    if (m == nullptr) {
        close(fd);
        return -ENOMEM;
    }
    ArchProc& a = p.p_arch;
    a.memfd = fd;
    a.page = new (m) SlotPage{};
    a.page->self = p.p_endpoint;
    a.in_trap = false;
    a.last_seq = 0;
    return OK;
}

std::string resolve_program(const std::string& program) {
    if (!program.empty() && program[0] == '/') return program;
    return host().programs_dir + "/" + program;
}

int spawn_host_process(Proc& p, const char* program, const char* args, std::size_t args_len) {
    HostState& h = host();
    std::string path = resolve_program(program);
    if (access(path.c_str(), F_OK) != 0) return -ENOENT;
    if (access(path.c_str(), X_OK) != 0) return -ENOEXEC;

    // Everything the child needs is allocated before fork.
    std::vector<std::string> argstr{program};
    for (std::size_t i = 0; i < args_len;) {
        std::size_t n = strnlen(args + i, args_len - i);
        argstr.emplace_back(args + i, n);
        i += n + 1;
    }
    std::vector<char*> argv;
    for (auto& s : argstr) argv.push_back(s.data());
    argv.push_back(nullptr);
    std::vector<sock_filter> filter(1024);

    int r = make_slot_page(p);
    if (r != OK) return r;
    ArchProc& a = p.p_arch;
    a.kind = ArchKind::HOST;
    // A failed spawn leaves no machine context behind (the core may just
    // free the slot without proc_destroy).
    auto undo = [&p](int err) {
        arch::proc_destroy(p);
        return err;
    };
    int sync[2], errp[2];
    if (pipe2(sync, O_CLOEXEC) != 0) return undo(-ENOMEM);
    if (pipe2(errp, O_CLOEXEC) != 0) {
        close(sync[0]);
        close(sync[1]);
        return undo(-ENOMEM);
    }
    pid_t kernel = getpid();
    pid_t pid = fork();
    if (pid == 0)
        child(kernel, a.memfd, h.kpage_fd, sync[0], errp[1], path.c_str(), argv.data(),
              filter.data(), filter.size());
    close(sync[0]);
    close(errp[1]);
    if (pid < 0) {
        close(sync[1]);
        close(errp[0]);
        return undo(-ENOMEM);
    }
    a.host_pid = pid;
    a.alive = true;

    bool ok = ptrace(PTRACE_SEIZE, pid, nullptr,
                     reinterpret_cast<void*>(PTRACE_O_EXITKILL | PTRACE_O_TRACEEXIT)) == 0;
    std::vector<sock_filter> prog;
    ok = ok && launcher_filter(pid, &prog) && !prog.empty() && prog.size() <= filter.size();
    std::uint32_t n = static_cast<std::uint32_t>(prog.size());
    ok = ok && write_all(sync[1], &n, sizeof n) &&
         write_all(sync[1], prog.data(), prog.size() * sizeof(sock_filter));
    close(sync[1]);
    int child_err = 0;
    bool failed = !ok || read_all(errp[0], &child_err, sizeof child_err);
    close(errp[0]);
    if (failed) {
        hlog("umk: cannot start %s: %s", path.c_str(),
             child_err ? std::strerror(child_err) : "setup failed");
        return undo(child_err == ENOENT ? -ENOENT : child_err == ENOMEM ? -ENOMEM : -ENOEXEC);
    }
    update_scan_bit(p);
    return OK;
}

}  // namespace umk::linux_host
