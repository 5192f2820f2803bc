// SENDA: asynchronous sends from a table in the sender's memory (MINIX
// mini_senda, try_async, try_one). Entries whose destination waits are
// delivered at once; the table is then kept (s_asyntab, s_asynsize,
// s_asynendpoint in the sender's privileges) and the destinations are marked
// MF_ASYNMSG, so that their next receive scans it. Each entry is marked
// AMF_DONE in the sender's table *before* its message is handed over: a
// table we cannot write back to is never delivered from, so nothing is
// delivered twice.
#include "../arch.h"
#include "../kernel.h"
#include "ipc_internal.h"
#include "umk/err.h"

namespace umk {
namespace {

constexpr unsigned AMF_KNOWN = AMF_VALID | AMF_DONE | AMF_NOTIFY | AMF_NOREPLY | AMF_NOTIFY_ERR;

vir_bytes entry_addr(vir_bytes table, std::size_t i) {
    return table + i * sizeof(asynmsg_t);
}

int read_entry(const Proc& owner, vir_bytes table, std::size_t i, asynmsg_t& e) {
    return arch::copy_from_proc(owner, entry_addr(table, i), &e, sizeof e);
}

// Write back the flags and result of entry i (MINIX writes both words only,
// leaving the message as the sender wrote it).
int finish_entry(Proc& owner, vir_bytes table, std::size_t i, asynmsg_t& e, int result) {
    e.flags |= AMF_DONE;
    e.result = result;
    const vir_bytes at = entry_addr(table, i);
    const int r =
        arch::copy_to_proc(owner, at + offsetof(asynmsg_t, flags), &e.flags, sizeof e.flags);
    if (r != OK) return r;
    return arch::copy_to_proc(owner, at + offsetof(asynmsg_t, result), &e.result, sizeof e.result);
}

bool flags_valid(unsigned flags) {
    return (flags & ~AMF_KNOWN) == 0 && (flags & AMF_VALID);
}

// The checks a SENDA entry's destination must pass; OK or the per-entry
// result.
int check_destination(const Proc& sender, endpoint_t dst_e, Proc** dst_out) {
    Proc* dst = endpoint_lookup(dst_e);
    if (!dst || (dst->p_rts_flags & RTS_NO_ENDPOINT)) return -EDEADSRCDST;
    if (is_kernel_slot(dst->p_nr) || !ipc::may_send_to(sender, *dst)) return -ECALLDENIED;
    *dst_out = dst;
    return OK;
}

// May an asynchronous message from `from` (with `flags`) end dst's receive now?
bool can_take(const Proc& dst, endpoint_t from, unsigned flags) {
    if (!ipc::will_receive_from(dst, from)) return false;
    // AMF_NOREPLY messages are not replies: never the end of a SENDREC.
    return !((flags & AMF_NOREPLY) && (dst.p_misc_flags & MF_REPLY_PEND));
}

void forget_table(Priv& pr) {
    pr.s_asyntab = 0;
    pr.s_asynsize = 0;
    pr.s_asynendpoint = NONE;
}

}  // namespace

int mini_senda(Proc& caller, vir_bytes table, std::size_t count) {
    Priv* pr = caller.p_priv;
    if (!pr || !(pr->s_flags & SYS_PROC)) return -EPERM;
    if (count > static_cast<std::size_t>(NR_ASYNC_MAX)) return -EDOM;

    // Decode: the whole table must be readable and well-formed before
    // anything is delivered or the previous table forgotten.
    for (std::size_t i = 0; i < count; ++i) {
        asynmsg_t e;
        if (read_entry(caller, table, i, e) != OK) return -EFAULT;
        if (e.flags != AMF_EMPTY && !flags_valid(e.flags)) return -EINVAL;
    }

    forget_table(*pr);
    bool keep = false;
    for (std::size_t i = 0; i < count; ++i) {
        asynmsg_t e;
        if (read_entry(caller, table, i, e) != OK) return -EFAULT;
        if (e.flags == AMF_EMPTY || (e.flags & AMF_DONE)) continue;
        if (!flags_valid(e.flags)) {
            // Changed under us since the check above: refuse this entry only.
            if (finish_entry(caller, table, i, e, -EINVAL) != OK) return -EFAULT;
            continue;
        }
        Proc* dst = nullptr;
        const int r = check_destination(caller, e.dst, &dst);
        if (r != OK) {
            if (finish_entry(caller, table, i, e, r) != OK) return -EFAULT;
            continue;
        }
        if (can_take(*dst, caller.p_endpoint, e.flags)) {
            if (finish_entry(caller, table, i, e, OK) != OK) return -EFAULT;
            e.msg.m_source = caller.p_endpoint;
            ipc::deliver(*dst, e.msg);
            continue;
        }
        // Left for dst's next receive.
        dst->p_misc_flags |= MF_ASYNMSG;
        keep = true;
    }
    if (keep) {
        pr->s_asyntab = table;
        pr->s_asynsize = static_cast<std::uint32_t>(count);
        pr->s_asynendpoint = caller.p_endpoint;
    }
    return OK;
}

namespace ipc {

bool receive_async(Proc& receiver, endpoint_t src) {
    bool delivered = false;
    bool more_for_receiver = false;
    for (sys_id_t id = 0; id < NR_SYS_PROCS; ++id) {
        Priv* pr = priv_by_id(id);
        if (!pr || pr->s_asynsize == 0) continue;
        // The messages are from the slot that holds these privileges; the
        // table is in the memory of s_asynendpoint. The two differ only
        // after sys_update moved the image that made the SENDA call to
        // another slot (see ipc_fix_after_swap).
        Proc* owner = endpoint_lookup(pr->s_asynendpoint);
        Proc* sender = slot_in_range(pr->s_proc_nr) ? proc_addr(pr->s_proc_nr) : nullptr;
        if (!owner || !sender || proc_is_free(*sender) || sender->p_priv != pr) {
            forget_table(*pr);
            continue;
        }
        const endpoint_t from = sender->p_endpoint;
        // Scan the whole table even after a delivery: it tells whether the
        // table still holds work (else it is forgotten) and whether more is
        // waiting for the receiver (else MF_ASYNMSG goes).
        bool table_busy = false;
        for (std::size_t i = 0; i < pr->s_asynsize; ++i) {
            asynmsg_t e;
            if (read_entry(*owner, pr->s_asyntab, i, e) != OK) {
                kprintf("IPC: SENDA table of %s (endpoint %d) is no longer readable; dropped\n",
                        sender->p_name, from);
                forget_table(*pr);
                table_busy = false;
                break;
            }
            if (e.flags == AMF_EMPTY || (e.flags & AMF_DONE) || !flags_valid(e.flags)) continue;
            Proc* dst = nullptr;
            const int r = check_destination(*sender, e.dst, &dst);
            if (r != OK) {
                // The destination died (or lost permission) since the SENDA.
                if (finish_entry(*owner, pr->s_asyntab, i, e, r) != OK) {
                    forget_table(*pr);
                    table_busy = false;
                    break;
                }
                continue;
            }
            if (dst != &receiver) {
                table_busy = true;
                continue;
            }
            // The receiver is in its trap, not blocked yet: only the source
            // and the SENDREC rule decide.
            const bool wanted =
                (src == ANY || src == from) &&
                !((e.flags & AMF_NOREPLY) && (receiver.p_misc_flags & MF_REPLY_PEND));
            if (!delivered && wanted) {
                if (finish_entry(*owner, pr->s_asyntab, i, e, OK) != OK) {
                    forget_table(*pr);
                    table_busy = false;
                    break;
                }
                e.msg.m_source = from;
                deliver(receiver, e.msg);
                delivered = true;
                continue;
            }
            table_busy = true;
            more_for_receiver = true;
        }
        if (!table_busy) forget_table(*pr);
    }
    if (!more_for_receiver) receiver.p_misc_flags &= ~MF_ASYNMSG;
    return delivered;
}

}  // namespace ipc
}  // namespace umk
