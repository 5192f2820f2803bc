// The few C library functions services use, freestanding (the i386
// services have no libc). Declared by the host's <cstring>/<cstdlib>
// headers, which are only used for their prototypes.
#include <cstddef>
#include <cstdint>

#include "umklib/syslib.h"
#include "umklib/trap.h"

extern "C" {

void* memchr(const void* s, int c, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(s);
    for (std::size_t i = 0; i < n; ++i)
        if (p[i] == static_cast<unsigned char>(c)) return const_cast<unsigned char*>(p + i);
    return nullptr;
}

std::size_t strnlen(const char* s, std::size_t max) {
    std::size_t n = 0;
    while (n < max && s[n]) ++n;
    return n;
}

int strncmp(const char* a, const char* b, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        const auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
        if (x != y) return x < y ? -1 : 1;
        if (!x) return 0;
    }
    return 0;
}

int strcmp(const char* a, const char* b) {
    return strncmp(a, b, SIZE_MAX);
}

char* strchr(const char* s, int c) {
    for (;; ++s) {
        if (*s == static_cast<char>(c)) return const_cast<char*>(s);
        if (!*s) return nullptr;
    }
}

char* strncpy(char* dst, const char* src, std::size_t n) {
    std::size_t i = 0;
    for (; i < n && src[i]; ++i) dst[i] = src[i];
    for (; i < n; ++i) dst[i] = '\0';
    return dst;
}

long strtol(const char* s, char** end, int base) {
    while (*s == ' ' || *s == '\t' || *s == '\n') ++s;
    bool neg = false;
    if (*s == '-' || *s == '+') neg = *s++ == '-';
    if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        base = 16;
    } else if (base == 0) {
        base = s[0] == '0' ? 8 : 10;
    }
    unsigned long v = 0;
    for (;; ++s) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (*s >= 'a' && *s <= 'z')
            d = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'Z')
            d = *s - 'A' + 10;
        else
            break;
        if (d >= base) break;
        v = v * static_cast<unsigned long>(base) + static_cast<unsigned long>(d);
    }
    if (end) *end = const_cast<char*>(s);
    return neg ? -static_cast<long>(v) : static_cast<long>(v);
}

unsigned long strtoul(const char* s, char** end, int base) {
    return static_cast<unsigned long>(strtol(s, end, base));
}

int atoi(const char* s) {
    return static_cast<int>(strtol(s, nullptr, 10));
}

// abort(): like MINIX, through the kernel's exit (SIGABRT for the manager).
[[noreturn]] void abort() {
    umk::sys_exit();
    umk::arch_exit(134);
}

[[noreturn]] void __cxa_pure_virtual() {
    abort();
}
void* __dso_handle = nullptr;
int __cxa_atexit(void (*)(void*), void*, void*) {
    return 0;
}  // services never exit cleanly

}  // extern "C"

// No heap in services; a delete can only come from a virtual destructor.
void operator delete(void*) noexcept {
    abort();
}
void operator delete(void*, std::size_t) noexcept {
    abort();
}
