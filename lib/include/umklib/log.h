// printf-style logging through the kernel log (SYS_DIAGCTL).
#pragma once

#include <cstdarg>
#include <cstddef>

namespace umk {

// Formats into a buffer and hands it to the kernel log. Lines are prefixed
// by the kernel with nothing: include your own "name: " prefix.
int log_printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
int log_vprintf(const char* fmt, va_list ap);

}  // namespace umk
