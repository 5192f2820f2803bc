// SEND / SENDNB (and the send half of SENDREC): hand a message to a process
// waiting for it, or block in the destination's FIFO caller queue (MINIX
// mini_send).
#include "ipc_internal.h"
#include "umk/err.h"

namespace umk {

int mini_send(Proc& caller, endpoint_t dst_e, const message& m, int flags) {
    Proc* dst = endpoint_lookup(dst_e);
    if (!dst || (dst->p_rts_flags & RTS_NO_ENDPOINT)) return -EDEADSRCDST;
    // umk: kernel calls have their own trap, so no kernel task ever receives
    // a message; a send to one could only block forever.
    if (is_kernel_slot(dst->p_nr)) return -ECALLDENIED;

    // The kernel, not the sender, says who a message is from.
    message msg = m;
    msg.m_source = caller.p_endpoint;

    if (ipc::will_receive_from(*dst, caller.p_endpoint)) {
        ipc::deliver(*dst, msg);
        return OK;
    }
    // The kernel itself never blocks.
    if (flags & (IPC_NON_BLOCKING | IPC_FROM_KERNEL)) return -ENOTREADY;
    if (ipc::would_deadlock(caller, true, dst_e)) return -ELOCKED;

    caller.p_sendmsg = msg;
    caller.p_sendto_e = dst_e;
    caller.p_q_link = nullptr;
    Proc** tail = &dst->p_caller_q;
    while (*tail) tail = &(*tail)->p_q_link;
    *tail = &caller;
    rts_set(caller, RTS_SENDING);
    return SUSPEND;
}

}  // namespace umk
