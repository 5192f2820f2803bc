// NOTIFY: a non-blocking, coalescing signal from one process to another
// (MINIX mini_notify). If the target waits for the sender it gets the
// notification at once; otherwise a bit per sender privilege id is kept in
// its s_notify_pending and handed out by its next receive.
#include "../kernel.h"
#include "ipc_internal.h"
#include "umk/err.h"

namespace umk {
namespace ipc {

message build_notification(const Proc& sender, Proc& dst) {
    message m{};
    m.m_source = sender.p_endpoint;
    m.m_type = notify_from(sender.p_nr);
    m.NOTIFY_TIMESTAMP = static_cast<std::int64_t>(uptime());
    Priv* pr = dst.p_priv;
    if (pr && sender.p_nr == HARDWARE) {
        m.NOTIFY_ARG = pr->s_int_pending;
        pr->s_int_pending = 0;
    } else if (pr && sender.p_nr == SYSTEM) {
        m.NOTIFY_ARG = static_cast<std::int64_t>(pr->s_sig_pending);
        pr->s_sig_pending = 0;
    }
    return m;
}

namespace {

// Notify dst from sender, both known to be alive and privileged.
void post(const Proc& sender, Proc& dst) {
    if (will_receive_from(dst, sender.p_endpoint) && !(dst.p_misc_flags & MF_REPLY_PEND)) {
        deliver(dst, build_notification(sender, dst));
        return;
    }
    // Repeats collapse into one bit; the arguments (interrupt and signal
    // bits) accumulate in dst's privileges until delivery.
    dst.p_priv->s_notify_pending.set(sender.p_priv->s_id);
}

}  // namespace
}  // namespace ipc

int mini_notify(const Proc& caller, endpoint_t dst_e) {
    Proc* dst = endpoint_lookup(dst_e);
    if (!dst || (dst->p_rts_flags & RTS_NO_ENDPOINT)) return -EDEADSRCDST;
    // Pending bits live in the privileges of both ends.
    if (!caller.p_priv || !dst->p_priv || is_kernel_slot(dst->p_nr)) return -ECALLDENIED;
    ipc::post(caller, *dst);
    return OK;
}

void notify_from_kernel(endpoint_t kernel_task, Proc& p) {
    if (!slot_in_range(kernel_task) || !is_kernel_slot(kernel_task)) return;
    const Proc& task = *proc_addr(kernel_task);
    // A process without privileges (waiting for PRIVCTL) has nowhere to keep
    // the bit; whatever it was told is still in its pending sets.
    if (proc_is_free(p) || !p.p_priv || !task.p_priv || is_kernel_slot(p.p_nr)) return;
    ipc::post(task, p);
}

}  // namespace umk
