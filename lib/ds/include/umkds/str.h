// Freestanding string helpers for the servers, the drivers and the DS
// client: they build without libc (for i386) and never touch the heap.
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
// Copies with truncation; the result is always NUL-terminated (size > 0).
constexpr void copy(char* dst, const char* src, std::size_t size) {
    std::size_t i = 0;
    for (; i + 1 < size && src[i]; i++) dst[i] = src[i];
    if (size > 0) dst[i] = '\0';
}
inline void mem_copy(void* dst, const void* src, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto* s = static_cast<const unsigned char*>(src);
    for (std::size_t i = 0; i < n; i++) d[i] = s[i];
}
inline void mem_zero(void* dst, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
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
