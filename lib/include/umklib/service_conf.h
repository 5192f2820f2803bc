// The policy RS applies to one service: what a system.conf entry says
// (MINIX etc/system.conf), as plain data with fixed-size fields. The
// system.conf parser (umklib/system_conf.h) fills it, and an `rs_start`
// (umklib/rs_proto.h) carries it to RS for `service up -config FILE`, so
// it lives here, beside the protocol, where RS, the parser and the clients
// all see one definition.
#pragma once

#include <cstdint>

#include "umk/config.h"

namespace umk::conf {

inline constexpr int LABEL_LEN = PROC_NAME_LEN;  // including the NUL
inline constexpr int MAX_IPC = 32;
inline constexpr int MAX_CONTROL = 8;
inline constexpr int MAX_IRQ = 4;  // priv_args::irq_tab
inline constexpr int MAX_IO = 8;   // priv_args::io_tab
inline constexpr int MAX_PCI = 8;

// Special IPC targets (ipc SYSTEM USER ...). Labels of services go to ipc[].
inline constexpr std::uint32_t IPC_SYSTEM = 0x1;   // the SYSTEM kernel task
inline constexpr std::uint32_t IPC_USER = 0x2;     // user processes
inline constexpr std::uint32_t IPC_ALL_SYS = 0x4;  // every system process
inline constexpr std::uint32_t IPC_NONE = 0x8;     // nobody (explicitly)

// VM calls a service may make (vm ...).
inline constexpr std::uint32_t VM_REMAP = 0x01;
inline constexpr std::uint32_t VM_UNREMAP = 0x02;
inline constexpr std::uint32_t VM_GETPHYS = 0x04;
inline constexpr std::uint32_t VM_GETREFCNT = 0x08;
inline constexpr std::uint32_t VM_QUERYEXIT = 0x10;
inline constexpr std::uint32_t VM_INFO = 0x20;
inline constexpr std::uint32_t VM_RS_UPDATE = 0x40;
inline constexpr std::uint32_t VM_ALL = 0x7f;

// Which statements an entry set itself (for `class` inheritance and for
// RS's defaults).
enum SetBit : std::uint32_t {
    SET_UID = 1u << 0,
    SET_NICE = 1u << 1,
    SET_IRQ = 1u << 2,
    SET_IO = 1u << 3,
    SET_PCI = 1u << 4,
    SET_SYSTEM = 1u << 5,
    SET_IPC = 1u << 6,
    SET_VM = 1u << 7,
    SET_CONTROL = 1u << 8,
    SET_PERIOD = 1u << 9,
    SET_SIGMGR = 1u << 10,
    SET_AUTHORITY = 1u << 11,
    SET_POLICY = 1u << 12,
};

// What RS does when the service dies (`policy restart;` / `policy reset;`,
// MINIX 3.4's restart policies; `service up ... -policy`). DEFAULT is "no
// policy line": reset, except for a service at a fixed slot (PM, devman,
// RS, TTY, DS, VM), which RS always restarts with `restart`.
inline constexpr std::uint32_t POLICY_DEFAULT = 0;
// The replica gets a new slot and endpoint (subscribers see the new
// endpoint in DS); no state grant is passed.
inline constexpr std::uint32_t POLICY_RESET = 1;
// The replica takes over the dead instance's endpoint (SYS_UPD_RESTART):
// requests queued for it are served by the replica, and it gets the dead
// instance's state grant in RS_INIT.
inline constexpr std::uint32_t POLICY_RESTART = 2;

struct IoRange {
    std::uint32_t base;
    std::uint32_t len;
};

struct ServiceConf {
    char name[LABEL_LEN];
    int line;           // where the entry starts
    std::uint32_t set;  // SetBit: statements present (directly or by class)
    int uid;
    int nice;
    int nr_irq;
    int irq[MAX_IRQ];
    int nr_io;
    IoRange io[MAX_IO];
    int nr_pci;
    std::uint32_t pci[MAX_PCI];  // vid << 16 | did
    std::uint64_t calls;         // bit k: kernel call KERNEL_CALL + k (basic calls not included)
    std::uint32_t ipc_special;   // IPC_*
    int nr_ipc;
    char ipc[MAX_IPC][LABEL_LEN];
    std::uint32_t vm;  // VM_*
    int nr_control;
    char control[MAX_CONTROL][LABEL_LEN];
    int period;              // heartbeat period in ticks (0: no heartbeat)
    char sigmgr[LABEL_LEN];  // label of the signal manager ("" = RS, "SELF" = itself)
    // umk's `authority` (umk/priv_flags.h: MANAGE_SERVICES, SPAWN_PROGRAMS,
    // SPAWN_ANY_PATH, LOG_READER), given to the process as privilege flags.
    std::uint32_t authority;
    std::uint32_t policy;  // POLICY_* (`policy`)
};

}  // namespace umk::conf
