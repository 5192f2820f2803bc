// The VM protocol (MINIX include/minix/com.h VM_*). On umk VM keeps a record
// per process (the host does the paging); what matters is VM_RS_UPDATE, the
// step of a live update where VM swaps its records for two slots after the
// kernel swapped the process images (MINIX servers/vm/rs.c).
#pragma once

#include "umk/com.h"
#include "umk/err.h"
#include "umk/types.h"
#include "umklib/ipc.h"

namespace umk {

inline constexpr int VM_RQ_BASE = 0xC00;
// umk: the record VM keeps for one process (reply fields below).
inline constexpr int VM_PROC_INFO = VM_RQ_BASE + 40;
// RS only (else ENOSYS): sys_update(src, dst), then swap VM's records of the
// two slots, each slot keeping its endpoint. A second update of the same pair
// swaps back (the rollback of a failed update).
inline constexpr int VM_RS_UPDATE = VM_RQ_BASE + 41;  // 0xC29

#define VM_RS_SRC_ENDPT m1_i1
#define VM_RS_DST_ENDPT m1_i2
#define VM_RS_FLAGS m1_i3  // passed to sys_update (SYS_UPD_ROLLBACK)

#define VM_INFO_ENDPT m1_i1    // request: whose record; reply: the record's endpoint
#define VM_INFO_SLOT m1_i2     // reply: the slot it describes
#define VM_INFO_IMAGE m1_l1    // reply: the image id (which loaded program the record is about)
#define VM_INFO_UPDATES m1_i3  // reply: how often the record took part in an update

// The client side of VM_RS_UPDATE (MINIX libc vm_update). RS calls it.
inline int vm_update(endpoint_t src, endpoint_t dst, int flags = 0) {
    message m{};
    m.m_type = VM_RS_UPDATE;
    m.VM_RS_SRC_ENDPT = src;
    m.VM_RS_DST_ENDPT = dst;
    m.VM_RS_FLAGS = flags;
    int r = ipc_sendrec(VM_PROC_NR, &m);
    return r != OK ? r : m.m_type;
}

}  // namespace umk
