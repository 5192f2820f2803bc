// A freestanding printf formatter, shared by the kernel log (kprintf) and
// the service library's log_printf on both arches.
// Supports %d %i %u %x %X %s %c %p %%, the l/ll/z length modifiers, a field
// width, and the '0' and '-' flags. Always NUL-terminates (if size > 0) and
// returns the length the full output would have had.
#pragma once

#include <cstdarg>
#include <cstddef>

namespace umk {

int vformat(char* buf, std::size_t size, const char* fmt, va_list ap);
int format(char* buf, std::size_t size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

}  // namespace umk
