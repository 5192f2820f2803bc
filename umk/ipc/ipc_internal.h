// Helpers shared by the IPC primitives (umk/ipc/*.cc). Not for other parts
// of the core: they use core.h.
#pragma once

#include "../core.h"
#include "../proc.h"

namespace umk::ipc {

// p waits for a message from `src` (ANY or an endpoint) and is not still
// in the send half of a SENDREC: a message from src may be delivered now.
bool will_receive_from(const Proc& p, endpoint_t src);

// Complete p's receive with m: copy into p_delivermsg (MF_DELIVERMSG),
// result OK, end MF_REPLY_PEND, and wake p if it was blocked receiving.
// m.m_source must already be set by the kernel.
void deliver(Proc& p, const message& m);

// The notification message from `sender` to `dst`, with the timestamp and,
// from HARDWARE or SYSTEM, the pending interrupt/signal bits (cleared here).
message build_notification(const Proc& sender, Proc& dst);

// Would blocking `caller` on `peer` (send if `sending`, else receive)
// close a cycle of blocked processes? (MINIX deadlock().)
bool would_deadlock(const Proc& caller, bool sending, endpoint_t peer);

// A blocked send of `sender` ended (delivered, or failed): stop waiting in
// the send state, and tell the signal manager if a delayed stop was wanted.
void end_send(Proc& sender);

// Try to satisfy `receiver`'s receive from `src` (ANY or an endpoint) out
// of the registered SENDA tables. True if a message was delivered.
bool receive_async(Proc& receiver, endpoint_t src);

// May `caller` send to `dst` (s_ipc_to has dst's privilege id)?
bool may_send_to(const Proc& caller, const Proc& dst);

}  // namespace umk::ipc
