// What a freestanding C++ kernel needs from a runtime: the memory functions
// the compiler may call on its own, static constructors, and the ABI hooks
// for pure virtual calls and static destructors (which never run).
#include <cstddef>
#include <cstdint>

#include "machine.h"
#include "umk/arch.h"

extern "C" {

void* memcpy(void* dst, const void* src, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    const auto* s = static_cast<const unsigned char*>(src);
    asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    return dst;
}

void* memmove(void* dst, const void* src, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    const auto* s = static_cast<const unsigned char*>(src);
    if (d <= s || d >= s + n) return memcpy(dst, src, n);
    for (std::size_t i = n; i > 0; --i) d[i - 1] = s[i - 1];
    return dst;
}

void* memset(void* dst, int c, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

int memcmp(const void* a, const void* b, std::size_t n) {
    const auto* x = static_cast<const unsigned char*>(a);
    const auto* y = static_cast<const unsigned char*>(b);
    for (std::size_t i = 0; i < n; ++i)
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
}

std::size_t strlen(const char* s) {
    std::size_t n = 0;
    while (s[n]) ++n;
    return n;
}

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
