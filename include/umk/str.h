// Freestanding string and byte helpers, shared by the kernel, the service
// library, the servers, the drivers and the i386 image: they build without
// libc and never touch the heap. One copy for the whole tree (part of the
// base library, see base/README.md).
#pragma once

#include <cstddef>

namespace umk::str {

constexpr std::size_t len(const char* s) {
    std::size_t n = 0;
    while (s[n]) n++;
    return n;
}
// Length, but at most `max` (for buffers that may lack a NUL).
constexpr std::size_t nlen(const char* s, std::size_t max) {
    std::size_t n = 0;
    while (n < max && s[n]) n++;
    return n;
}
constexpr bool eq(const char* a, const char* b) {
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}
constexpr bool starts_with(const char* s, const char* prefix) {
    while (*prefix) {
        if (*s++ != *prefix++) return false;
    }
    return true;
}
// Copies at most size-1 characters and NUL-terminates (size > 0); false if
// src was cut.
constexpr bool copy(char* dst, const char* src, std::size_t size) {
    if (size == 0) return src[0] == '\0';
    std::size_t i = 0;
    for (; i + 1 < size && src[i]; i++) dst[i] = src[i];
    dst[i] = '\0';
    return src[i] == '\0';
}
// The part of a path after its last '/'.
constexpr const char* base_name(const char* path) {
    const char* b = path;
    for (const char* p = path; *p; ++p)
        if (*p == '/') b = p + 1;
    return b;
}
inline void mem_copy(void* dst, const void* src, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto* s = static_cast<const unsigned char*>(src);
    for (std::size_t i = 0; i < n; i++) d[i] = s[i];
}
// Through a volatile pointer: the compiler may not drop the stores, so no
// stale bytes of a message or a buffer leave the process.
inline void mem_zero(void* dst, std::size_t n) {
    auto* d = static_cast<volatile unsigned char*>(dst);
    for (std::size_t i = 0; i < n; i++) d[i] = 0;
}
inline bool mem_eq(const void* a, const void* b, std::size_t n) {
    auto* x = static_cast<const unsigned char*>(a);
    auto* y = static_cast<const unsigned char*>(b);
    for (std::size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) return false;
    }
    return true;
}

}  // namespace umk::str
