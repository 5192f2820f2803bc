// After sys_update exchanged the images of a and b (each slot kept its
// endpoint): make the IPC state agree with "what was addressed to an
// endpoint stays with the endpoint" - nothing lost, nothing delivered twice.
//
//  - Caller queues (processes blocked sending to the endpoint) stay with the
//    slot; the new image receives them, in the same FIFO order.
//  - MF_ASYNMSG (some SENDA table holds messages for the endpoint) stays with
//    the slot, so the new image's receive still scans the tables.
//  - Pending notifications, interrupts and signals already stay (they are
//    kept in the slot's Priv by do_update).
//  - A SENDA table the old image registered holds messages *from* the
//    endpoint: it stays registered with the slot (so they are delivered with
//    the endpoint as their source), but its memory went with the image, so
//    s_asynendpoint - whose memory holds the table - follows the image. It
//    is delivered from there until the new image registers its own table
//    (SENDA forgets the previous one, as in MINIX) or the old image's slot
//    is cleared.
//  - Proc* links name an image (a sender queued somewhere is an image), so
//    every link to a or b is redirected to the slot its image now lives in.
//    do_update refuses processes that are sending, but the links are kept
//    right anyway: a wrong one would corrupt a queue.
#include <utility>

#include "../core.h"

namespace umk {
namespace {

Proc* follow_image(Proc* p, Proc& a, Proc& b) {
    if (p == &a) return &b;
    if (p == &b) return &a;
    return p;
}

endpoint_t follow_memory(endpoint_t e, const Proc& a, const Proc& b) {
    if (e == a.p_endpoint) return b.p_endpoint;
    if (e == b.p_endpoint) return a.p_endpoint;
    return e;
}

}  // namespace

void ipc_fix_after_swap(Proc& a, Proc& b) {
    if (&a == &b) return;

    std::swap(a.p_caller_q, b.p_caller_q);
    const std::uint32_t a_asyn = a.p_misc_flags & MF_ASYNMSG;
    const std::uint32_t b_asyn = b.p_misc_flags & MF_ASYNMSG;
    a.p_misc_flags = (a.p_misc_flags & ~MF_ASYNMSG) | b_asyn;
    b.p_misc_flags = (b.p_misc_flags & ~MF_ASYNMSG) | a_asyn;

    Priv& pa = *priv(a);
    Priv& pb = *priv(b);
    std::swap(pa.s_asyntab, pb.s_asyntab);
    std::swap(pa.s_asynsize, pb.s_asynsize);
    std::swap(pa.s_asynendpoint, pb.s_asynendpoint);
    for (Priv& pr : priv_table) pr.s_asynendpoint = follow_memory(pr.s_asynendpoint, a, b);

    for (Proc& p : proc_table) {
        p.p_caller_q = follow_image(p.p_caller_q, a, b);
        p.p_q_link = follow_image(p.p_q_link, a, b);
    }
}

}  // namespace umk
