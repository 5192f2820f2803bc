// A hostile program that does NOT link the service library, started in a
// slot (HostileConfine, tests/linux/confine_test.cc). It makes exactly one
// call that would reach outside its slot, named by argv[1]; argv[2] is the
// kernel's pid (it may not ask for it: getppid is not allowed either). Under
// the kernel's filter each one kills it at that call; if a call ever got
// through, the program exits 0 (an exit the test tells from a SIGSYS).
//
// Only raw syscall(): a libc wrapper could make another call first and be
// killed for that one instead.
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "umk/arch/linux.h"
#include "umk_linux/service_filter.h"

namespace {

long call(const char* what, pid_t kernel) {
    static char path[64];
    static char buf[64];
    const auto is = [&](const char* s) { return std::strcmp(what, s) == 0; };
    if (is("kill")) return syscall(SYS_kill, kernel, SIGKILL);
    if (is("tgkill")) return syscall(SYS_tgkill, kernel, kernel, SIGKILL);
    if (is("tgkill-abrt")) return syscall(SYS_tgkill, kernel, kernel, SIGABRT);
    if (is("sigqueue")) {
        siginfo_t si{};
        si.si_signo = SIGKILL;
        si.si_code = SI_QUEUE;
        return syscall(SYS_rt_sigqueueinfo, kernel, SIGKILL, &si);
    }
    if (is("proc-mem")) {
        std::snprintf(path, sizeof path, "/proc/%d/mem", kernel);
        return syscall(SYS_openat, AT_FDCWD, path, O_RDWR);
    }
    if (is("proc-fd")) {
        std::snprintf(path, sizeof path, "/proc/%d/fd/3", kernel);
        return syscall(SYS_openat, AT_FDCWD, path, O_RDWR);
    }
    if (is("open")) return syscall(SYS_open, "/tmp/umk-intruder", O_CREAT | O_WRONLY, 0644);
    if (is("openat"))
        return syscall(SYS_openat, AT_FDCWD, "/tmp/umk-intruder", O_CREAT | O_WRONLY, 0644);
    if (is("creat")) return syscall(SYS_creat, "/tmp/umk-intruder", 0644);
    if (is("vm-read") || is("vm-write")) {
        iovec local{buf, sizeof buf};
        iovec remote{buf, sizeof buf};  // the kernel's copy of buf (CLONE_VM'd, then exec'd)
        return syscall(is("vm-read") ? SYS_process_vm_readv : SYS_process_vm_writev, kernel, &local,
                       1, &remote, 1, 0);
    }
    if (is("prlimit")) {
        rlimit64 old{};
        return syscall(SYS_prlimit64, kernel, RLIMIT_NOFILE, nullptr, &old);
    }
    if (is("prlimit-set")) {
        rlimit64 lim{0, 0};
        return syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &lim, nullptr);
    }
    if (is("ptrace")) return syscall(SYS_ptrace, PTRACE_ATTACH, kernel, 0, 0);
    if (is("memfd")) return syscall(SYS_memfd_create, "x", 0);
    if (is("mmap-exec"))
        return syscall(SYS_mmap, nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
    if (is("mprotect-exec")) {
        void* p = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return syscall(SYS_mprotect, p, 4096, PROT_READ | PROT_EXEC);
    }
    if (is("mmap-kpage-as-slot"))  // the KernelPage where the futex rule looks
        return syscall(SYS_mmap, umk::linux_host::SLOT_PAGE_ADDR, 4096, PROT_READ,
                       MAP_SHARED | MAP_FIXED_NOREPLACE, umk::linux_host::KERNEL_PAGE_FD, 0);
    if (is("execve")) {
        static char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
        return syscall(SYS_execve, "/bin/true", argv, nullptr);
    }
    if (is("execveat")) {  // passes the filter's descriptor check: the tracer kills it
        static char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
        return syscall(SYS_execveat, umk::linux_host::EXEC_FD, "/bin/true", argv, nullptr,
                       AT_EMPTY_PATH);
    }
    if (is("socket")) return syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
    if (is("fork")) return syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (is("write")) return syscall(SYS_write, 1, "x\n", 2);
    if (is("pidfd")) return syscall(SYS_pidfd_open, kernel, 0);
    return -1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) return 2;
    call(argv[1], static_cast<pid_t>(std::atoi(argv[2])));
    return 0;  // survived: the test sees an exit instead of a SIGSYS
}
