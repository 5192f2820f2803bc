// Where a service starts: the kernel enters _start(argc, argv) with the
// arguments laid out on the stack (see arch-i386/kernel/spawn.cc). Run the
// static constructors, then main; a service whose main returns exits
// through the kernel like MINIX's _exit (sef_exit: sys_exit, then SIGABRT
// for its signal manager).
#include "umklib/sef.h"
#include "umklib/trap.h"

int main(int argc, char** argv);

extern "C" {
using InitFn = void (*)();
extern InitFn __init_array_start[];
extern InitFn __init_array_end[];

[[noreturn]] void _start(int argc, char** argv) {
    for (InitFn* f = __init_array_start; f != __init_array_end; ++f) (*f)();
    const int status = main(argc, argv);
    umk::sef_exit(status);
}
}
