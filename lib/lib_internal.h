// Helpers shared by the files of the service library (not part of its API).
#pragma once

#include <cstddef>

#include "umk/types.h"

namespace umk::detail {

// Freestanding stand-ins for <cstring>: lib/ must not depend on a host libc.
inline std::size_t str_len(const char* s) {
    std::size_t n = 0;
    while (s[n] != '\0') ++n;
    return n;
}
inline void bytes_clear(void* p, std::size_t n) {
    auto* b = static_cast<volatile unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) b[i] = 0;
}

// A zeroed message, so that no stale stack bytes travel to another process.
inline message blank_message() {
    message m;
    bytes_clear(&m, sizeof m);
    return m;
}

inline vir_bytes addr_of(const void* p) {
    return vir_addr(p);
}

// Reset the library's private tables. Only the unit tests call these, to
// start each test from a freshly started service.
void grants_reset();
void asynsend_reset();
void sef_reset();

}  // namespace umk::detail
