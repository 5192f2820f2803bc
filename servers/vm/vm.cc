#include "vm.h"

#include "umk/endpoint.h"
#include "umk/err.h"
#include "umk/str.h"
#include "umklib/log.h"
#include "umklib/syslib.h"
#include "umklib/vm_proto.h"

namespace umk::vm {
namespace {

VmProc vmproc[NR_PROCS];
endpoint_t vm_self = NONE;
endpoint_t rs_endpoint = NONE;
std::uint64_t next_image = 1;

// MINIX vm_isokendpt: a user/server slot in range.
VmProc* slot_of(endpoint_t ep) {
    if (ep == ANY || ep == NONE || ep == SELF) return nullptr;
    proc_nr_t slot = endpoint_slot(ep);
    if (slot < 0 || slot >= NR_PROCS) return nullptr;
    return &vmproc[slot];
}

}  // namespace

void vm_init(endpoint_t self, endpoint_t rs) {
    for (VmProc& p : vmproc) p = VmProc{};
    vm_self = self;
    rs_endpoint = rs;
    next_image = 1;
}

VmProc* vm_learn(endpoint_t ep, const char* name) {
    VmProc* p = slot_of(ep);
    if (!p) return nullptr;
    if (p->in_use && p->vm_endpoint == ep) return p;
    // A new process in this slot (or the first time we hear of it).
    *p = VmProc{};
    p->in_use = true;
    p->vm_endpoint = ep;
    p->vm_slot = endpoint_slot(ep);
    p->image = next_image++;
    str::copy(p->name, name ? name : "?", sizeof p->name);
    return p;
}

const VmProc* vm_record(endpoint_t ep) {
    VmProc* p = slot_of(ep);
    return p && p->in_use && p->vm_endpoint == ep ? p : nullptr;
}

int do_rs_update(message& m) {
    if (m.m_source != rs_endpoint) {
        log_printf("vm: VM_RS_UPDATE from %d: unauthorized\n", m.m_source);
        return -ENOSYS;
    }
    endpoint_t src_e = m.VM_RS_SRC_ENDPT;
    endpoint_t dst_e = m.VM_RS_DST_ENDPT;

    // The kernel first: if it refuses, VM's records stay as they are.
    int r = sys_update(src_e, dst_e, m.VM_RS_FLAGS);
    if (r != OK) return r;

    VmProc* src = vm_learn(src_e, nullptr);
    VmProc* dst = vm_learn(dst_e, nullptr);
    if (!src || !dst) {
        log_printf("vm: do_rs_update: bad endpoint %d or %d\n", src_e, dst_e);
        return -EINVAL;
    }

    // Swap the records; each slot keeps its identity.
    VmProc orig_src = *src;
    VmProc orig_dst = *dst;
    *src = orig_dst;
    *dst = orig_src;
    src->vm_endpoint = orig_src.vm_endpoint;
    src->vm_slot = orig_src.vm_slot;
    dst->vm_endpoint = orig_dst.vm_endpoint;
    dst->vm_slot = orig_dst.vm_slot;
    src->updates++;
    dst->updates++;
    return OK;
}

int do_info(message& m) {
    endpoint_t ep = m.VM_INFO_ENDPT;
    if (ep == SELF) ep = m.m_source;
    const VmProc* p = vm_record(ep);
    if (!p) return -ESRCH;
    m.VM_INFO_ENDPT = p->vm_endpoint;
    m.VM_INFO_SLOT = p->vm_slot;
    m.VM_INFO_IMAGE = static_cast<std::int64_t>(p->image);
    m.VM_INFO_UPDATES = p->updates;
    return OK;
}

int handle_request(message& m) {
    if (is_notify(m.m_type)) return -EDONTREPLY;
    switch (m.m_type) {
        case VM_RS_UPDATE:
            return do_rs_update(m);
        case VM_PROC_INFO:
            return do_info(m);
        default:
            log_printf("vm: unknown request 0x%x from %d\n", m.m_type, m.m_source);
            return -ENOSYS;
    }
}

}  // namespace umk::vm
