// The unit tests' fake arch: what it keeps per process. Instead of a machine
// context it records what the core asked of it, so tests can check that
// (ready/unready calls, completed traps, delivered messages), and it gives
// each process a small fake address space for copy_from_proc/copy_to_proc.
#pragma once

#include <cstddef>
#include <cstdint>

#include "umk/types.h"

namespace umk {

// A process's fake memory: FAKE_MEM_SIZE bytes at addresses
// [FAKE_MEM_BASE, FAKE_MEM_BASE + FAKE_MEM_SIZE); anything else is EFAULT.
inline constexpr vir_bytes FAKE_MEM_BASE = 0x10000;
inline constexpr std::size_t FAKE_MEM_SIZE = 8192;
// How many delivered messages each process keeps (the newest ones).
inline constexpr int FAKE_MSG_LOG = 16;
inline constexpr int FAKE_PROGRAM_LEN = 32;
inline constexpr int FAKE_ARGS_LEN = 128;

struct ArchProc {
    // Set by the harness when it starts a trap, cleared when the trap
    // completes (at once, or later in arch::proc_ready).
    bool in_trap = false;
    int traps_completed = 0;
    std::int32_t last_retval = 0;  // p_retval of the last completed trap

    int ready_calls = 0;    // arch::proc_ready
    int unready_calls = 0;  // arch::proc_unready
    int destroy_calls = 0;  // arch::proc_destroy
    int swapped_calls = 0;  // arch::proc_swapped

    // Messages copied out of p_delivermsg (MF_DELIVERMSG), newest last:
    // msgs[(delivered - 1) % FAKE_MSG_LOG] is the latest.
    int delivered = 0;
    message msgs[FAKE_MSG_LOG];

    bool spawned = false;  // arch::proc_spawn succeeded and no proc_destroy since
    char program[FAKE_PROGRAM_LEN];
    char args[FAKE_ARGS_LEN];
    std::size_t args_len = 0;

    std::uint8_t mem[FAKE_MEM_SIZE];
};

}  // namespace umk
