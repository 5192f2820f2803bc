// The fake arch's controls and observations, for tests (the per-process part
// is in arch_proc.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "umk/proc.h"

namespace umk::fake {

// Forget everything global the fake arch recorded (log, panic, programs
// added) and the per-process records of every slot.
void reset();

// Everything the kernel wrote with arch::log_write since reset()/clear_log().
const std::string& log();
void clear_log();

// Every arch::port_out since reset(), in order; arch::port_in returns the
// value set here for the port (0xff if none).
struct PortWrite {
    std::uint16_t port;
    std::uint8_t value;
    bool operator==(const PortWrite&) const = default;
};
const std::vector<PortWrite>& port_writes();
void set_port_value(std::uint16_t port, std::uint8_t value);

// Programs arch::proc_spawn accepts: a built-in list ("rs", "ds", "pm",
// "vfs", "tty", "log", "memory", "init", "hello", "test", "a", "b", "c")
// plus any added here. "noexec" gives -ENOEXEC; anything else -ENOENT.
void add_program(const char* name);

// Total arch::proc_ready / proc_unready calls over all processes.
int total_ready_calls();
int total_unready_calls();

// What arch::proc_ready does to a process blocked in a trap: copy out
// p_delivermsg if MF_DELIVERMSG is set (and clear it), record p_retval as
// the trap's result. Also used by the harness for traps that complete at once.
void complete_trap(Proc& p);

}  // namespace umk::fake
