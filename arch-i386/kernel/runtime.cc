// What a freestanding C++ kernel needs from a runtime: the memory functions
// the compiler may call on its own, static constructors, and the ABI hooks
// for pure virtual calls and static destructors (which never run).
#include <cstddef>
#include <cstdint>

#include "machine.h"
#include "umk/arch.h"

extern "C" {

void __cxa_pure_virtual() {
    umk::arch::panic("pure virtual function called");
}

// Static destructors are registered but never run: the kernel never exits.
void* __dso_handle = nullptr;
int __cxa_atexit(void (*)(void*), void*, void*) {
    return 0;
}

using InitFn = void (*)();
extern InitFn __init_array_start[];
extern InitFn __init_array_end[];

}  // extern "C"

void operator delete(void*) noexcept {
    umk::arch::panic("operator delete in the kernel");
}
void operator delete(void*, std::size_t) noexcept {
    umk::arch::panic("operator delete in the kernel");
}

namespace umk::i386 {

void run_constructors() {
    for (InitFn* f = __init_array_start; f != __init_array_end; ++f) (*f)();
}

}  // namespace umk::i386
