// Process state bits as services see them: GET_PROCTAB and GET_PROCINFO
// report a process's RTS and misc flags (proc_info.rts_flags, misc_flags),
// and RS reads them to tell a free slot, a process waiting for privileges or
// one that has started. The process table itself is the kernel's
// (umk/proc.h).
#pragma once

#include <cstdint>

namespace umk {

// RTS flags: a process runs only while p_rts_flags == 0.
inline constexpr std::uint32_t RTS_SLOT_FREE = 0x01;
inline constexpr std::uint32_t RTS_PROC_STOP = 0x02;  // stopped by RUNCTL or for an update
inline constexpr std::uint32_t RTS_SENDING = 0x04;
inline constexpr std::uint32_t RTS_RECEIVING = 0x08;
inline constexpr std::uint32_t RTS_SIGNALED = 0x10;     // new kernel signals for the manager
inline constexpr std::uint32_t RTS_SIG_PENDING = 0x20;  // held until the manager ends handling
inline constexpr std::uint32_t RTS_P_STOP = 0x40;
inline constexpr std::uint32_t RTS_NO_PRIV = 0x80;       // created, waiting for privileges
inline constexpr std::uint32_t RTS_NO_ENDPOINT = 0x100;  // being cleared

// Misc flags.
inline constexpr std::uint32_t MF_REPLY_PEND = 0x01;   // in a SENDREC: only the reply may arrive
inline constexpr std::uint32_t MF_ASYNMSG = 0x10;      // some SENDA table has messages for it
inline constexpr std::uint32_t MF_DELIVERMSG = 0x40;   // p_delivermsg must be copied out
inline constexpr std::uint32_t MF_SIG_DELAY = 0x80;    // stop wanted once the send completes
inline constexpr std::uint32_t MF_STARTED = 0x4000;    // umk: reached its first trap (proc_started)
inline constexpr std::uint32_t MF_HOST_DEAD = 0x8000;  // umk: its machine context is gone

}  // namespace umk
