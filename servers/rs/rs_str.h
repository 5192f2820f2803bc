// Tiny freestanding string helpers for RS (no libc in servers).
#pragma once

#include <cstddef>

namespace umk::rs {

inline std::size_t str_len(const char* s) {
    std::size_t n = 0;
    while (s[n]) ++n;
    return n;
}
inline bool str_eq(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}
// Copies at most size-1 chars and NUL-terminates; false if s was cut.
inline bool str_copy(char* dst, std::size_t size, const char* s) {
    std::size_t i = 0;
    for (; s[i] && i + 1 < size; ++i) dst[i] = s[i];
    dst[i] = '\0';
    return s[i] == '\0';
}
inline void mem_copy(void* dst, const void* src, std::size_t n) {
    auto* d = static_cast<unsigned char*>(dst);
    auto* s = static_cast<const unsigned char*>(src);
    for (std::size_t i = 0; i < n; ++i) d[i] = s[i];
}
// The part of a path after the last '/'.
inline const char* base_name(const char* path) {
    const char* b = path;
    for (const char* p = path; *p; ++p)
        if (*p == '/') b = p + 1;
    return b;
}

}  // namespace umk::rs
