// Numbers shared by the kernel, the service library and the servers: IPC
// traps, kernel calls, their message fields, notifications. Values follow
// MINIX (include/minix/com.h, include/minix/ipc.h) unless a comment says why not.
#pragma once

#include "umk/endpoint.h"
#include "umk/slots.h"
#include "umk/types.h"

namespace umk {

// ---- IPC traps (bit n of a trap mask allows trap n) ----
inline constexpr int SEND = 1;
inline constexpr int RECEIVE = 2;
inline constexpr int SENDREC = 3;
inline constexpr int NOTIFY = 4;
inline constexpr int SENDNB = 5;
inline constexpr int SENDA = 16;
inline constexpr int NR_IPC_TRAPS = 32;

// ---- Kernel calls (separate trap; m_type = call number, reply m_type = result) ----
inline constexpr int KERNEL_CALL = 0x600;
inline constexpr int SYS_FORK = KERNEL_CALL + 0;  // unused on umk (see SYS_SPAWN)
inline constexpr int SYS_EXEC = KERNEL_CALL + 1;  // unused on umk (see SYS_SPAWN)
inline constexpr int SYS_CLEAR = KERNEL_CALL + 2;
inline constexpr int SYS_PRIVCTL = KERNEL_CALL + 4;
inline constexpr int SYS_KILL = KERNEL_CALL + 6;
inline constexpr int SYS_GETKSIG = KERNEL_CALL + 7;
inline constexpr int SYS_ENDKSIG = KERNEL_CALL + 8;
inline constexpr int SYS_VDEVIO = KERNEL_CALL + 23;
inline constexpr int SYS_SETALARM = KERNEL_CALL + 24;
inline constexpr int SYS_TIMES = KERNEL_CALL + 25;
inline constexpr int SYS_GETINFO = KERNEL_CALL + 26;
inline constexpr int SYS_SAFECOPYFROM = KERNEL_CALL + 31;
inline constexpr int SYS_SAFECOPYTO = KERNEL_CALL + 32;
inline constexpr int SYS_SETGRANT = KERNEL_CALL + 34;
inline constexpr int SYS_DIAGCTL = KERNEL_CALL + 44;  // SYS_SYSCTL at the 2010 seed
inline constexpr int SYS_RUNCTL = KERNEL_CALL + 46;
inline constexpr int SYS_UPDATE = KERNEL_CALL + 52;
inline constexpr int SYS_EXIT = KERNEL_CALL + 53;
// umk: create a process in a free slot from an executable (a host binary on
// Linux, a boot module on i386), stopped with RTS_NO_PRIV like a MINIX
// SRV_FORK+exec. The arch does the loading.
inline constexpr int SYS_SPAWN = KERNEL_CALL + 54;
inline constexpr int NR_SYS_CALLS = 55;

constexpr bool is_kernel_call(int type) {
    return type >= KERNEL_CALL && type < KERNEL_CALL + NR_SYS_CALLS;
}

// Fields of the kernel calls (same names as MINIX), aligned as a table.
// clang-format off
#define PR_ENDPT m1_i1            // SYS_CLEAR
#define SIG_ENDPT m2_i1           // SYS_KILL, SYS_GETKSIG, SYS_ENDKSIG
#define SIG_NUMBER m2_i2          // SYS_KILL
#define SIG_MAP m2_u1             // SYS_GETKSIG: the pending set
#define CTL_ENDPT m2_i1           // SYS_PRIVCTL
#define CTL_REQUEST m2_i2
#define CTL_ARG_PTR m2_p1
#define ALRM_EXP_TIME m2_l1       // SYS_SETALARM
#define ALRM_ABS_TIME m2_i2
#define ALRM_TIME_LEFT m2_l2      // reply: ticks that were left on the old alarm
#define T_ENDPT m2_i1             // SYS_TIMES
#define T_BOOT_TICKS m2_l1        // reply: uptime in ticks
#define T_REAL_TICKS m2_l2
#define T_USER_TIME m2_u1         // reply: ticks charged to the process
#define I_REQUEST m1_i1           // SYS_GETINFO
#define I_ENDPT m1_i2
#define I_VAL_PTR m1_p1
#define I_VAL_LEN m1_i3
#define SCP_FROM_TO m2_i1         // SYS_SAFECOPYFROM/TO: the granter
#define SCP_GID m2_i3
#define SCP_OFFSET m2_l1
#define SCP_ADDRESS m2_p1
#define SCP_BYTES m2_l2
#define SG_ADDR m2_p1             // SYS_SETGRANT
#define SG_SIZE m2_i2
#define DIAG_CODE m1_i1           // SYS_DIAGCTL
#define DIAG_BUF m1_p1
#define DIAG_LEN m1_i2            // TAKE: buffer size in, bytes copied out; SHOWN: bytes
#define DIAG_LEFT m1_i3           // TAKE reply: unshown bytes after the ones copied
#define DIO_REQUEST m2_i3         // SYS_VDEVIO: DIO_INPUT_BYTE or DIO_OUTPUT_BYTE
#define DIO_VEC_ADDR m2_p1        // a pvb_pair[] in the caller
#define DIO_VEC_SIZE m2_l2        // its number of entries, 1..VDEVIO_BUF_SIZE
#define RC_ENDPT m1_i1            // SYS_RUNCTL
#define RC_ACTION m1_i2
#define RC_FLAGS m1_i3
#define SYS_UPD_SRC_ENDPT m1_i1   // SYS_UPDATE
#define SYS_UPD_DST_ENDPT m1_i2
#define SYS_UPD_FLAGS m1_i3
#define SPAWN_PROG m1_p1          // SYS_SPAWN: program name (in the caller)
#define SPAWN_PROG_LEN m1_i1
#define SPAWN_ARGS m1_p2          // NUL-separated argument block (in the caller)
#define SPAWN_ARGS_LEN m1_i2
#define SPAWN_ENDPT m1_i3         // reply: the new process's endpoint
#define SPAWN_NAME m3_ca1         // unused by SYS_SPAWN's request (kept for layout docs)
// clang-format on

// SYS_GETINFO requests.
inline constexpr int GET_WHOAMI = 1;   // reply: m3_i1 endpoint, m3_i2 privilege flags, m3_ca1 name
inline constexpr int GET_PROCTAB = 2;  // copy the process table summary to I_VAL_PTR
inline constexpr int GET_PRIVTAB = 3;
inline constexpr int GET_KINFO = 4;
inline constexpr int GET_UPTIME = 5;    // reply: m2_l1 ticks, m2_i1 HZ
inline constexpr int GET_PROCINFO = 6;  // umk: copy one proc_info (of I_ENDPT) to I_VAL_PTR

// GET_PROCTAB copies one of these per process-table slot (kernel tasks
// first, then slots 0..NR_PROCS-1; free slots have RTS_SLOT_FREE set).
struct proc_info {
    endpoint_t endpoint;
    proc_nr_t slot;
    std::uint32_t rts_flags;
    std::uint32_t misc_flags;
    char name[16];             // PROC_NAME_LEN, NUL-terminated
    endpoint_t sig_mgr;        // NONE without privileges
    std::uint32_t priv_flags;  // s_flags; 0 without privileges
    sys_id_t priv_id;          // -1 without privileges
    std::uint32_t pad;
    std::uint64_t user_time;  // ticks charged (as SYS_TIMES)
};
static_assert(sizeof(proc_info) == 56, "one proc_info layout on every arch");

// SYS_PRIVCTL requests.
inline constexpr int SYS_PRIV_ALLOW = 1;
inline constexpr int SYS_PRIV_DISALLOW = 2;
inline constexpr int SYS_PRIV_SET_SYS = 3;
inline constexpr int SYS_PRIV_SET_USER = 4;
inline constexpr int SYS_PRIV_ADD_IO = 5;
inline constexpr int SYS_PRIV_ADD_MEM = 6;
inline constexpr int SYS_PRIV_ADD_IRQ = 7;
inline constexpr int SYS_PRIV_QUERY_MEM = 8;

// SYS_RUNCTL.
inline constexpr int RC_STOP = 0;
inline constexpr int RC_RESUME = 1;
inline constexpr int RC_DELAY = 1;

// SYS_UPDATE flags (later MINIX).
inline constexpr int SYS_UPD_ROLLBACK = 0x1;
// umk: the source image is dead (crash recovery under the `restart` policy:
// a replica takes over the endpoint). Its pending send and an undelivered
// message are dropped, and every process waiting for its reply (the receive
// half of a SENDREC it had received) gets ERESTART: the replica never saw
// those requests. Senders still queued stay queued for the replica.
inline constexpr int SYS_UPD_RESTART = 0x2;

// SYS_DIAGCTL codes.
inline constexpr int DIAGCTL_CODE_DIAG = 1;
inline constexpr int DIAGCTL_CODE_REGISTER = 3;  // caller gets SIGKMESS for new log text
inline constexpr int DIAGCTL_CODE_UNREGISTER = 4;
inline constexpr int DIAGCTL_CODE_TAKE = 5;   // umk: copy log text from the first unshown byte
inline constexpr int DIAGCTL_CODE_SHOWN = 6;  // umk: DIAG_LEN bytes of what TAKE gave are shown
inline constexpr int DIAG_BUF_MAX = 2000;
inline constexpr int KMESS_BUF_SIZE = 8192;  // the kernel's log ring (MINIX _KMESS_BUF_SIZE)

// SYS_VDEVIO (MINIX DIO_* request values): a vector of (port, byte) pairs.
inline constexpr int DIO_INPUT_BYTE = 0x011;
inline constexpr int DIO_OUTPUT_BYTE = 0x012;
inline constexpr int VDEVIO_BUF_SIZE = 64;  // most pairs per call (MINIX)
struct pvb_pair {
    std::uint16_t port;
    std::uint8_t value;
    std::uint8_t pad;
};
static_assert(sizeof(pvb_pair) == 4, "one pvb_pair layout on every arch");

// ---- Notifications ----
inline constexpr int NOTIFY_MESSAGE = 0x1000;
constexpr int notify_from(proc_nr_t slot) {
    return NOTIFY_MESSAGE | (slot + 4);
}  // NR_TASKS
constexpr bool is_notify(int type) {
    return type >= NOTIFY_MESSAGE && type < NOTIFY_MESSAGE + 0x100;  // no overflow for any int
}
#define NOTIFY_ARG m2_l1        // pending IRQs (from HARDWARE) or signals (from SYSTEM)
#define NOTIFY_TIMESTAMP m2_l2  // uptime in ticks when the notification was delivered

// ---- Asynchronous messages (SENDA) ----
inline constexpr unsigned AMF_EMPTY = 0;
inline constexpr unsigned AMF_VALID = 0x01;
inline constexpr unsigned AMF_DONE = 0x02;
inline constexpr unsigned AMF_NOTIFY = 0x04;
inline constexpr unsigned AMF_NOREPLY = 0x08;
inline constexpr unsigned AMF_NOTIFY_ERR = 0x10;

struct asynmsg_t {
    std::uint32_t flags;
    endpoint_t dst;
    std::int32_t result;
    std::uint32_t pad;
    message msg;
};
static_assert(sizeof(asynmsg_t) == 80, "one asynmsg_t layout on every arch");

// ---- Memory grants (SAFECOPY) ----
inline constexpr std::uint32_t CPF_READ = 0x001;
inline constexpr std::uint32_t CPF_WRITE = 0x002;
inline constexpr std::uint32_t CPF_USED = 0x100;
inline constexpr std::uint32_t CPF_DIRECT = 0x200;
inline constexpr std::uint32_t CPF_INDIRECT = 0x400;
inline constexpr std::uint32_t CPF_MAGIC = 0x800;
inline constexpr std::uint32_t CPF_VALID = 0x1000;
inline constexpr cp_grant_id_t GRANT_INVALID = -1;
inline constexpr int GRANT_MAX_INDIRECTION = 5;

struct cp_grant_t {
    std::uint32_t cp_flags;
    endpoint_t cp_to;        // grantee (ANY allowed); for magic grants also the target
    endpoint_t cp_from;      // indirect: the original granter; magic: the owner of the memory
    cp_grant_id_t cp_grant;  // indirect: the grant in cp_from's table
    vir_bytes cp_start;      // direct/magic: first byte
    vir_bytes cp_len;        // direct/magic: length
};
static_assert(sizeof(cp_grant_t) == 32, "one cp_grant_t layout on every arch");

}  // namespace umk
