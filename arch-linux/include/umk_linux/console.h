// The emulated console of the Linux host (src/com1.cc: a 16550 at COM1,
// written through SYS_VDEVIO by servers/tty). For tests: how many complete
// lines have gone out through it since the process started, so a test can
// tell log lines that came through TTY from those the kernel wrote itself.
#pragma once

#include <cstdint>

namespace umk::linux_host {

std::uint64_t console_lines_written();

}  // namespace umk::linux_host
