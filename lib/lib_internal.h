// Helpers shared by the files of the service library (not part of its API).
#pragma once

#include <cstddef>

#include "umk/str.h"
#include "umk/types.h"

namespace umk::detail {

// A zeroed message, so that no stale stack bytes travel to another process.
inline message blank_message() {
    message m;
    str::mem_zero(&m, sizeof m);
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
