// test_crash MODE: misbehaves on purpose once it is running.
//   segv      null pointer write             abort    abort()
//   open      openat(2)                      write    write(1, ...) to stdout
//   socket    socket(2)                      fork     fork(2)
//   execve    execve("/bin/true")            ptrace   ptrace(PTRACE_TRACEME)
//   mmapexec  mmap(PROT_EXEC)                hang     block for ever (for kill -9)
//   spin      compute for ever in user mode (for freezing)
//   exit      leave through the host's exit_group (status 3)
//   kpage     write to the KernelPage (read-only for services: SIGSEGV)
//   kpagerw   make the KernelPage writable with mprotect, then write it
//   futex     FUTEX_WAKE on the kernel's wake word (not its own page: SIGSYS)
//   ring      ring its own doorbell for ever without ever calling
//   memfd     memfd_create(2)                prlimit  prlimit64 setting its own limit
//   vmread    process_vm_readv(2) of itself  mprotectexec  mprotect(PROT_EXEC)
// Before misbehaving it logs "crash: MODE now".
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "svc_util.h"
#include "umk/arch/linux.h"

namespace umk::linux_host {
extern SlotPage* slot_page;            // mapped by the service library
extern const KernelPage* kernel_page;  // mapped read-only by the service library
}  // namespace umk::linux_host

int main(int argc, char** argv) {
    using namespace umk;
    const char* mode = argc > 1 ? argv[1] : "segv";
    log_printf("crash: %s now\n", mode);
    if (!std::strcmp(mode, "segv")) {
        *static_cast<volatile int*>(nullptr) = 1;
    } else if (!std::strcmp(mode, "abort")) {
        std::abort();
    } else if (!std::strcmp(mode, "open")) {
        open("/etc/passwd", O_RDONLY);
    } else if (!std::strcmp(mode, "write")) {
        (void)!write(1, "escaped\n", 8);
    } else if (!std::strcmp(mode, "socket")) {
        socket(AF_INET, SOCK_STREAM, 0);
    } else if (!std::strcmp(mode, "fork")) {
        fork();
    } else if (!std::strcmp(mode, "execve")) {
        char* const args[] = {const_cast<char*>("/bin/true"), nullptr};
        execve("/bin/true", args, nullptr);
    } else if (!std::strcmp(mode, "ptrace")) {
        ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
    } else if (!std::strcmp(mode, "exit")) {
        _exit(3);
    } else if (!std::strcmp(mode, "spin")) {
        for (unsigned long n = 0;; ++n) asm volatile("" : : "r"(n));
    } else if (!std::strcmp(mode, "kpage")) {
        auto* kp = const_cast<linux_host::KernelPage*>(linux_host::kernel_page);
        kp->sleeping.store(0);  // would stop every service from waking the kernel
    } else if (!std::strcmp(mode, "kpagerw")) {
        auto* kp = const_cast<linux_host::KernelPage*>(linux_host::kernel_page);
        const int r = mprotect(kp, 4096, PROT_READ | PROT_WRITE);
        log_printf("crash: mprotect of the kernel page: %d\n", r);
        kp->sleeping.store(0);
    } else if (!std::strcmp(mode, "futex")) {
        syscall(SYS_futex, &linux_host::kernel_page->wake, FUTEX_WAKE, 1, nullptr, nullptr, 0);
    } else if (!std::strcmp(mode, "ring")) {
        auto* sp = linux_host::slot_page;
        for (;;) {
            sp->doorbell.fetch_add(1);
            syscall(SYS_futex, &sp->doorbell, FUTEX_WAKE, 1, nullptr, nullptr, 0);
        }
    } else if (!std::strcmp(mode, "mmapexec")) {
        mmap(nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    } else if (!std::strcmp(mode, "mprotectexec")) {
        void* p = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        syscall(SYS_mprotect, p, 4096, PROT_READ | PROT_EXEC);
    } else if (!std::strcmp(mode, "memfd")) {
        syscall(SYS_memfd_create, "x", 0);
    } else if (!std::strcmp(mode, "prlimit")) {
        rlimit64 lim{0, 0};
        syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &lim, nullptr);
    } else if (!std::strcmp(mode, "vmread")) {
        char buf[16];
        iovec local{buf, sizeof buf}, remote{buf, sizeof buf};
        syscall(SYS_process_vm_readv, getpid(), &local, 1, &remote, 1, 0);
    }
    if (std::strcmp(mode, "hang") != 0) log_printf("crash: %s survived\n", mode);
    test_svc::idle();
}
