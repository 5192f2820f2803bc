// Privilege flags and privilege ids as services see them: the s_flags
// that SYS_PRIVCTL takes (priv_args.flags) and that GET_PROCTAB reports
// (proc_info.priv_flags), and the fixed ids of the privilege table. The
// privilege table itself is the kernel's (umk/priv.h).
#pragma once

#include <cstdint>

#include "umk/config.h"
#include "umk/types.h"

namespace umk {

// Privilege flags (s_flags).
inline constexpr std::uint32_t PREEMPTIBLE = 0x02;
inline constexpr std::uint32_t BILLABLE = 0x04;
inline constexpr std::uint32_t DYN_PRIV_ID = 0x08;
inline constexpr std::uint32_t SYS_PROC = 0x10;
inline constexpr std::uint32_t CHECK_IO_PORT = 0x20;
inline constexpr std::uint32_t CHECK_IRQ = 0x40;
inline constexpr std::uint32_t CHECK_MEM = 0x80;
// Authority (umk; system.conf `authority`, boot config `auth=`). The kernel
// keeps them with the privileges, where no process can forge them, and the
// servers ask for them with GET_PROCINFO (proc_info.priv_flags).
inline constexpr std::uint32_t MANAGE_SERVICES = 0x100;  // RS serves its management requests
inline constexpr std::uint32_t SPAWN_PROGRAMS = 0x200;   // PM spawns programs of the program dir
inline constexpr std::uint32_t SPAWN_ANY_PATH = 0x400;   // ... and any path (the administrator)
inline constexpr std::uint32_t LOG_READER = 0x800;       // DIAGCTL REGISTER, TAKE, SHOWN
// RS restarts a service that is not core on request (devman: a driver that
// stopped answering) - no up, down, update or restart of core services.
inline constexpr std::uint32_t RESTART_SERVICES = 0x1000;
inline constexpr std::uint32_t AUTHORITY_FLAGS =
    MANAGE_SERVICES | SPAWN_PROGRAMS | SPAWN_ANY_PATH | LOG_READER | RESTART_SERVICES;

// Static privilege ids: kernel tasks and boot processes use slot + NR_TASKS;
// the rest are handed out dynamically. USER_PRIV_ID is shared by every user
// process.
inline constexpr sys_id_t USER_PRIV_ID = NR_TASKS + 10;  // MINIX: 14 (INIT's static id)
constexpr sys_id_t static_priv_id(proc_nr_t slot) {
    return slot + NR_TASKS;
}
inline constexpr int NR_STATIC_PRIV_IDS = NR_TASKS + 16;  // first dynamic id

}  // namespace umk
