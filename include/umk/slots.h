// Well-known process slots: the boot image's fixed slots (MINIX com.h's
// PM_PROC_NR, VFS_PROC_NR, RS_PROC_NR, ...). Slot n's first endpoint is n
// (generation 0), so each value is also the endpoint a service talks to
// until that service is restarted into a new generation.
#pragma once

#include "umk/types.h"

namespace umk {

inline constexpr endpoint_t PM_PROC_NR = 0;      // process manager
inline constexpr endpoint_t DEVMAN_PROC_NR = 1;  // device manager, umk's VFS
// Magic grants (CPF_MAGIC) describe memory of another process and only
// MINIX's VFS may make them: devman on umk. The kernel checks the slot.
inline constexpr endpoint_t VFS_PROC_NR = DEVMAN_PROC_NR;
inline constexpr endpoint_t RS_PROC_NR = 2;   // reincarnation server
inline constexpr endpoint_t TTY_PROC_NR = 5;  // terminal and log reader
inline constexpr endpoint_t DS_PROC_NR = 6;   // data store
inline constexpr endpoint_t VM_PROC_NR = 8;   // memory manager (sys_update on behalf of RS)

}  // namespace umk
