// Creating host processes: one sealed memfd page per slot, one kernel page
// for everybody, clone (sharing memory until the exec), ptrace, the final
// seccomp filter (service_filter.cc) and an execveat of the program the
// kernel opened.
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "host_state.h"
#include "umk/arch.h"
#include "umk/err.h"
#include "umk_linux/fd_io.h"
#include "umk_linux/service_filter.h"

extern char** environ;

namespace umk::linux_host {

namespace {

constexpr std::size_t PAGE = 4096;

// A sealed one-page memfd: nobody can shrink it under the kernel (which
// would turn the kernel's next access into a SIGBUS) or grow it.
// A one-page memfd, mapped here read-write. Its size is sealed, so no
// process can shrink it under another's mapping (a SIGBUS in the kernel).
// With `others_read_only` the page is also sealed against future writes:
// every mapping made from now on, the services' included, is read-only, and
// neither mprotect nor write(2) can change that; only the kernel's own
// mapping, made before the seal, still writes.
int make_page(const char* name, bool others_read_only, void** map) {
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return -1;
    void* m = MAP_FAILED;
    if (ftruncate(fd, PAGE) == 0)
        m = mmap(nullptr, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    const int seals =
        F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL | (others_read_only ? F_SEAL_FUTURE_WRITE : 0);
    if (m == MAP_FAILED || fcntl(fd, F_ADD_SEALS, seals) != 0) {
        if (m != MAP_FAILED) munmap(m, PAGE);
        close(fd);
        return -1;
    }
    *map = m;
    return fd;
}

}  // namespace

namespace {

// ---- the child between clone and execve ----
//
// The child shares the kernel's memory (CLONE_VM, as posix_spawn does):
// copying the page tables of the kernel process (fork) and tearing the copy
// down again at execve took ~1 ms of the kernel thread per spawn, during
// which no service was served. Sharing memory means the child must not touch
// anything the kernel thread uses: it runs on its own stack, writes nothing
// but that stack and the filter buffer reserved for it, and makes raw system
// calls (glibc's wrappers would write errno, which lives in the kernel
// thread's TLS). No sanitizer instrumentation either: its bookkeeping lives
// in the kernel thread's TLS too.
#define UMK_CHILD_CODE __attribute__((no_sanitize("address", "undefined"), noinline))

UMK_CHILD_CODE long raw_call(long nr, long a = 0, long b = 0, long c = 0, long d = 0) {
    long ret;
    register long r10 asm("r10") = d;
    asm volatile("syscall"
                 : "=a"(ret)
                 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
                 : "rcx", "r11", "memory");
    return ret;
}

UMK_CHILD_CODE long raw_call6(long nr, long a, long b, long c, long d, long e) {
    long ret;
    register long r10 asm("r10") = d;
    register long r8 asm("r8") = e;
    asm volatile("syscall"
                 : "=a"(ret)
                 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                 : "rcx", "r11", "memory");
    return ret;
}

// The child's stack (its frames are small: raw system calls only).
constexpr std::size_t CHILD_STACK = 64 * 1024;

struct ChildArgs {
    pid_t kernel;
    int slot_fd, kpage_fd, prog_fd, sync_rd, err_wr;
    char* const* argv;
    char* const* envp;
    sock_filter* filter;
    std::size_t filter_cap;
};

[[noreturn]] UMK_CHILD_CODE void child_fail(int err_wr, long err) {
    int e = static_cast<int>(-err);
    raw_call(SYS_write, err_wr, reinterpret_cast<long>(&e), sizeof e);
    raw_call(SYS_close, err_wr);  // before the exit stop, or the kernel would wait for EOF forever
    for (;;) raw_call(SYS_exit_group, 127);
}

UMK_CHILD_CODE bool child_read(int fd, void* buf, std::size_t len) {
    auto* p = static_cast<char*>(buf);
    while (len > 0) {
        long n = raw_call(SYS_read, fd, reinterpret_cast<long>(p), static_cast<long>(len));
        if (n == -EINTR) continue;
        if (n <= 0) return false;
        p += n;
        len -= static_cast<std::size_t>(n);
    }
    return true;
}

UMK_CHILD_CODE int child(void* arg) {
    const ChildArgs& c = *static_cast<const ChildArgs*>(arg);
    long r = raw_call(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
    if (r < 0) child_fail(c.err_wr, r);
    if (raw_call(SYS_getppid) != c.kernel) raw_call(SYS_exit_group, 127);  // the kernel is gone
    // Default dispositions first, then unblock (the kernel thread blocked
    // every signal around clone, so none of its handlers can run here).
    struct {
        void* handler;
        unsigned long flags;
        void* restorer;
        std::uint64_t mask;
    } dfl{};  // SIG_DFL
    for (int s = 1; s < 32; ++s)
        if (s != SIGKILL && s != SIGSTOP)
            raw_call(SYS_rt_sigaction, s, reinterpret_cast<long>(&dfl), 0, sizeof dfl.mask);
    std::uint64_t none = 0;
    raw_call(SYS_rt_sigprocmask, SIG_SETMASK, reinterpret_cast<long>(&none), 0, sizeof none);

    long s = raw_call(SYS_fcntl, c.slot_fd, F_DUPFD, 10);
    long k = raw_call(SYS_fcntl, c.kpage_fd, F_DUPFD, 10);
    long x = raw_call(SYS_fcntl, c.prog_fd, F_DUPFD, 10);
    long rd = raw_call(SYS_fcntl, c.sync_rd, F_DUPFD_CLOEXEC, 10);
    long wr = raw_call(SYS_fcntl, c.err_wr, F_DUPFD, 10);
    if (wr < 0) child_fail(c.err_wr, wr);
    // The error pipe at the number the filter lets us write (close-on-exec:
    // EOF means the exec succeeded).
    if ((r = raw_call(SYS_dup3, wr, EXEC_ERR_FD, O_CLOEXEC)) < 0)
        child_fail(static_cast<int>(wr), r);
    raw_call(SYS_close, wr);  // one write end only: child_fail closes it before exiting
    const int err_wr = EXEC_ERR_FD;
    if (s < 0 || k < 0 || x < 0 || rd < 0)
        child_fail(err_wr, s < 0 ? s : k < 0 ? k : x < 0 ? x : rd);
    static const char dev_null[] = "/dev/null";
    long devnull = raw_call(SYS_open, reinterpret_cast<long>(dev_null), O_RDONLY);
    if (devnull >= 0) raw_call(SYS_dup2, devnull, 0);
    if ((r = raw_call(SYS_dup2, s, SLOT_PAGE_FD)) < 0) child_fail(err_wr, r);
    if ((r = raw_call(SYS_dup2, k, KERNEL_PAGE_FD)) < 0) child_fail(err_wr, r);
    // The program, at the one descriptor the filter lets us execveat; gone
    // with the exec.
    if ((r = raw_call(SYS_dup3, x, EXEC_FD, O_CLOEXEC)) < 0) child_fail(err_wr, r);
    // Everything else goes at the exec.
    r = raw_call(SYS_close_range, EXEC_ERR_FD + 1, ~0U, CLOSE_RANGE_CLOEXEC);
    if (r < 0) child_fail(err_wr, r);
    if ((r = raw_call(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0)) < 0) child_fail(err_wr, r);

    // The kernel sends the filter once it has seized us (so that a SIGSYS
    // from the very first instruction is seen by the tracer).
    std::uint32_t n = 0;
    if (!child_read(static_cast<int>(rd), &n, sizeof n) || n == 0 || n > c.filter_cap ||
        !child_read(static_cast<int>(rd), c.filter, n * sizeof(sock_filter)))
        child_fail(err_wr, -ENOEXEC);
    sock_fprog prog{static_cast<unsigned short>(n), c.filter};
    r = raw_call(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, reinterpret_cast<long>(&prog));
    if (r < 0) child_fail(err_wr, r);
    // From here on only what the filter allows: this execveat (the exec
    // exception), and writing its error.
    static const char empty[] = "";
    r = raw_call6(SYS_execveat, EXEC_FD, reinterpret_cast<long>(empty),
                  reinterpret_cast<long>(c.argv), reinterpret_cast<long>(c.envp), AT_EMPTY_PATH);
    child_fail(err_wr, r);
}

#undef UMK_CHILD_CODE

// What a child uses of the kernel's memory until it has called execve (or
// died): its stack, its arguments, its environment and the filter buffer.
// Kept until the child has exec'd (its error pipe reads EOF) or is reaped.
struct Launch {
    pid_t pid = -1;
    int exec_fd = -1;     // read end of the child's error pipe (non-blocking)
    bool failed = false;  // the child reported an error: keep until reaped
    std::string path;
    std::vector<std::string> arg_text, env_text;
    std::vector<char*> argv, envp;
    std::vector<sock_filter> filter = std::vector<sock_filter>(1024);
    void* stack = nullptr;
    ChildArgs args{};

    ~Launch() {
        if (exec_fd >= 0) close(exec_fd);
        if (stack != nullptr) munmap(stack, CHILD_STACK);
    }
};

std::vector<std::unique_ptr<Launch>> launches;  // kernel thread only

void forget_launch(std::size_t i) {
    launches.erase(launches.begin() + static_cast<std::ptrdiff_t>(i));
}

// Read what the child wrote on its error pipe: true once it is known
// (EOF: it exec'd; or its error, logged).
bool poll_launch(Launch& l) {
    if (l.failed) return false;  // only its reaping ends it
    int err = 0;
    ssize_t n = read(l.exec_fd, &err, sizeof err);
    if (n == 0) return true;
    if (n == static_cast<ssize_t>(sizeof err)) {
        hlog("umk: cannot start %s: %s", l.path.c_str(), std::strerror(err));
        l.failed = true;  // it exits at once (status 127); reaping reports that
    }
    return false;
}

// The checks execve would fail, made before the child exists, so that
// SYS_SPAWN can report them (the exec itself completes after SYS_SPAWN has
// returned): not a file, not executable, not an ELF or a #! script, a
// missing program interpreter.
template <typename Ehdr, typename Phdr>
int check_elf(int fd, const Ehdr& eh) {
    if (eh.e_phentsize != sizeof(Phdr) || eh.e_phnum == 0 || eh.e_phnum > 512) return -ENOEXEC;
    std::vector<Phdr> ph(eh.e_phnum);
    const auto len = static_cast<ssize_t>(ph.size() * sizeof(Phdr));
    if (pread(fd, ph.data(), static_cast<std::size_t>(len), static_cast<off_t>(eh.e_phoff)) != len)
        return -ENOEXEC;
    for (const Phdr& h : ph) {
        if (h.p_type != PT_INTERP) continue;
        if (h.p_filesz < 2 || h.p_filesz > PATH_MAX) return -ENOEXEC;
        std::string interp(static_cast<std::size_t>(h.p_filesz), '\0');
        if (pread(fd, interp.data(), interp.size(), static_cast<off_t>(h.p_offset)) !=
            static_cast<ssize_t>(interp.size()))
            return -ENOEXEC;
        if (access(interp.c_str(), F_OK) != 0) return -ENOENT;
    }
    return OK;
}

int check_executable(const std::string& path) {
    if (access(path.c_str(), F_OK) != 0) return -ENOENT;
    if (access(path.c_str(), X_OK) != 0) return -ENOEXEC;
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? -ENOENT : -ENOEXEC;
    union {
        unsigned char ident[EI_NIDENT];
        Elf64_Ehdr e64;
        Elf32_Ehdr e32;
        char text[256];
    } head{};
    ssize_t n = pread(fd, &head, sizeof head, 0);
    int r = -ENOEXEC;
    if (n >= 2 && head.text[0] == '#' && head.text[1] == '!') {
        // A script: its interpreter must exist (the first word after #!).
        std::string line(head.text + 2, static_cast<std::size_t>(n - 2));
        std::size_t b = line.find_first_not_of(" \t");
        std::size_t e = b == std::string::npos ? b : line.find_first_of(" \t\n", b);
        if (b != std::string::npos)
            r = access(line.substr(b, e - b).c_str(), X_OK) == 0 ? OK : -ENOENT;
    } else if (n >= static_cast<ssize_t>(sizeof(Elf64_Ehdr)) &&
               std::memcmp(head.ident, ELFMAG, SELFMAG) == 0) {
        if (head.ident[EI_CLASS] == ELFCLASS64)
            r = check_elf<Elf64_Ehdr, Elf64_Phdr>(fd, head.e64);
        else if (head.ident[EI_CLASS] == ELFCLASS32)
            r = check_elf<Elf32_Ehdr, Elf32_Phdr>(fd, head.e32);
    }
    close(fd);
    return r;
}

}  // namespace

bool create_kernel_page() {
    HostState& h = host();
    void* m = nullptr;
    int fd = make_page("umk-kernel", true, &m);
    if (fd < 0) return false;
    h.kpage_fd = fd;
    h.kpage = new (m) KernelPage{};
    h.kpage->hz.store(HZ);
    return true;
}

int make_slot_page(Proc& p) {
    char name[32];
    std::snprintf(name, sizeof name, "umk-slot-%d", p.p_nr);
    void* m = nullptr;
    int fd = make_page(name, false, &m);
    if (fd < 0) return -ENOMEM;
    ArchProc& a = p.p_arch;
    a.memfd = fd;
    a.page = new (m) SlotPage{};
    a.page->self = p.p_endpoint;
    a.in_trap = false;
    a.last_seq = 0;
    a.idle_rings = 0;
    a.bell_muted = false;
    a.bell_warned = false;
    a.execs = 0;
    return OK;
}

std::string resolve_program(const std::string& program) {
    if (!program.empty() && program[0] == '/') return program;
    return host().programs_dir + "/" + program;
}

int spawn_host_process(Proc& p, const char* program, const char* args, std::size_t args_len) {
    HostState& h = host();
    auto l = std::make_unique<Launch>();
    l->path = resolve_program(program);
    if (int r = check_executable(l->path); r != OK) return r;

    // Everything the child reads is in `l`, which outlives its execve.
    l->arg_text.emplace_back(program);
    for (std::size_t i = 0; i < args_len;) {
        std::size_t n = strnlen(args + i, args_len - i);
        l->arg_text.emplace_back(args + i, n);
        i += n + 1;
    }
    for (auto& s : l->arg_text) l->argv.push_back(s.data());
    l->argv.push_back(nullptr);
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) l->env_text.emplace_back(*e);
    for (auto& s : l->env_text) l->envp.push_back(s.data());
    l->envp.push_back(nullptr);
    void* stack = mmap(nullptr, CHILD_STACK, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return -ENOMEM;
    l->stack = stack;

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
    // The kernel opens the program: the child, already under its final
    // filter, may only execveat this descriptor (the exec exception).
    const int prog_fd = open(l->path.c_str(), O_RDONLY | O_CLOEXEC);
    if (prog_fd < 0) return undo(-ENOEXEC);
    int sync[2], errp[2];
    if (pipe2(sync, O_CLOEXEC) != 0) {
        close(prog_fd);
        return undo(-ENOMEM);
    }
    if (pipe2(errp, O_CLOEXEC | O_NONBLOCK) != 0) {
        close(prog_fd);
        close(sync[0]);
        close(sync[1]);
        return undo(-ENOMEM);
    }
    l->exec_fd = errp[0];
    l->args =
        ChildArgs{getpid(), a.memfd,        h.kpage_fd,     prog_fd,          sync[0],
                  errp[1],  l->argv.data(), l->envp.data(), l->filter.data(), l->filter.size()};
    // No handler of the kernel process may run in the child before it has
    // reset them: block everything across clone (posix_spawn does the same).
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = clone(child, static_cast<char*>(stack) + CHILD_STACK, CLONE_VM | SIGCHLD, &l->args);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    close(prog_fd);
    close(sync[0]);
    close(errp[1]);
    if (pid < 0) {
        close(sync[1]);
        return undo(-ENOMEM);
    }
    a.host_pid = pid;
    a.alive = true;
    l->pid = pid;
    Launch& launch = *l;
    launches.push_back(std::move(l));  // from now on the child's reaping frees it

    // TRACEEXEC: the tracer accepts exactly one exec per child (tracer.cc).
    bool ok = ptrace(PTRACE_SEIZE, pid, nullptr,
                     reinterpret_cast<void*>(PTRACE_O_EXITKILL | PTRACE_O_TRACEEXIT |
                                             PTRACE_O_TRACEEXEC)) == 0;
    std::vector<sock_filter> prog;
    ok = ok && service_filter(pid, &prog) && !prog.empty() && prog.size() <= launch.filter.size();
    std::uint32_t n = static_cast<std::uint32_t>(prog.size());
    ok = ok && write_all(sync[1], &n, sizeof n) &&
         write_all(sync[1], prog.data(), prog.size() * sizeof(sock_filter));
    close(sync[1]);
    if (!ok) {
        hlog("umk: cannot start %s: setup failed", launch.path.c_str());
        return undo(-ENOEXEC);
    }
    // The child now installs the filter and calls execveat on its own; the
    // kernel does not wait for it (that took 0.5-5 ms of the kernel thread,
    // on a busy machine mostly waiting for a CPU for the child). At boot it
    // does, so that a booted system has every program loaded.
    if (h.booting) {
        pollfd pf{launch.exec_fd, POLLIN, 0};
        while (poll(&pf, 1, -1) < 0 && errno == EINTR) {
        }
        if (!poll_launch(launch)) return undo(-ENOEXEC);
        launch_done(pid);
    }
    update_scan_bit(p);
    return OK;
}

void poll_launches() {
    for (std::size_t i = 0; i < launches.size();) {
        if (poll_launch(*launches[i]))
            forget_launch(i);
        else
            ++i;
    }
}

void launch_done(pid_t pid) {
    for (std::size_t i = 0; i < launches.size(); ++i) {
        if (launches[i]->pid != pid) continue;
        poll_launch(*launches[i]);  // an error not yet read is logged now
        forget_launch(i);
        return;
    }
}

}  // namespace umk::linux_host
