// i386_crash MODE: a service that faults on purpose in ring 3, so that the
// kernel turns the CPU exception into a signal for its manager.
//   segv    write through a null pointer          (page fault  -> SIGSEGV)
//   kernel  write to kernel memory (1 MiB)        (page fault  -> SIGSEGV)
//   gp      execute a privileged instruction      (#GP         -> SIGSEGV)
//   io      touch an I/O port                     (#GP         -> SIGSEGV)
//   div     divide by zero                        (#DE         -> SIGFPE)
//   ud      an invalid opcode                     (#UD         -> SIGILL)
// It logs "crash: MODE now" first and "crash: MODE survived" if the fault
// did not happen.
#include <cstring>

#include "umklib/ipc.h"
#include "umklib/log.h"

int main(int argc, char** argv) {
    using namespace umk;
    const char* mode = argc > 1 ? argv[1] : "segv";
    log_printf("crash: %s now\n", mode);
    if (!std::strcmp(mode, "segv")) {
        *static_cast<volatile int*>(nullptr) = 1;
    } else if (!std::strcmp(mode, "kernel")) {
        *reinterpret_cast<volatile int*>(0x100000) = 1;
    } else if (!std::strcmp(mode, "gp")) {
        asm volatile("cli");
    } else if (!std::strcmp(mode, "io")) {
        asm volatile("outb %%al, $0xf4" : : "a"(0x10));
    } else if (!std::strcmp(mode, "div")) {
        // In asm: the compiler may turn 1 / x into arithmetic without a divide.
        unsigned q, r;
        asm volatile("divl %2" : "=a"(q), "=d"(r) : "r"(0u), "a"(1u), "d"(0u));
        (void)q;
        (void)r;
    } else if (!std::strcmp(mode, "ud")) {
        asm volatile("ud2");
    }
    log_printf("crash: %s survived\n", mode);
    for (;;) {
        message m{};
        ipc_receive(ANY, &m);
    }
}
