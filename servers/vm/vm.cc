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
std::uint64_t changes = 0;

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
    changes++;
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
    changes++;
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

    // VM cannot swap itself: it is inside this very request, and its old
    // version would be the one waiting for RS. RS asks the kernel directly
    // for VM (MINIX srv_update) and the new VM swaps its own records at init.
    if (src_e == vm_self || dst_e == vm_self) {
        log_printf("vm: VM_RS_UPDATE(%d, %d) names VM itself: RS must call sys_update for VM\n",
                   src_e, dst_e);
        return -EINVAL;
    }
    if (!slot_of(src_e) || !slot_of(dst_e)) {
        log_printf("vm: do_rs_update: bad endpoint %d or %d\n", src_e, dst_e);
        return -EINVAL;
    }

    // The kernel first: if it refuses, VM's records stay as they are.
    int r = sys_update(src_e, dst_e, m.VM_RS_FLAGS);
    if (r != OK) return r;
    return vm_swap_records(src_e, dst_e);
}

int vm_swap_records(endpoint_t src_e, endpoint_t dst_e) {
    VmProc* src = vm_learn(src_e, nullptr);
    VmProc* dst = vm_learn(dst_e, nullptr);
    if (!src || !dst) {
        log_printf("vm: cannot swap the records of %d and %d: no such slot\n", src_e, dst_e);
        return -EINVAL;
    }
    if (src == dst) return OK;

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
    changes++;
    return OK;
}

void vm_reconcile(const ProcTabEntry* procs, int n) {
    bool seen[NR_PROCS] = {};
    for (int i = 0; i < n; ++i) {
        VmProc* p = slot_of(procs[i].endpoint);
        if (!p) continue;  // a kernel task
        const int slot = static_cast<int>(p - vmproc);
        if (procs[i].free) continue;
        seen[slot] = true;
        vm_learn(procs[i].endpoint, procs[i].name);
    }
    for (int slot = 0; slot < NR_PROCS; ++slot) {
        if (seen[slot] || !vmproc[slot].in_use) continue;
        vmproc[slot] = VmProc{};
        changes++;
    }
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

std::uint64_t vm_changes() {
    return changes;
}

void vm_state_save(VmState* out) {
    *out = VmState{};
    out->magic = VM_STATE_MAGIC;
    out->nr_procs = NR_PROCS;
    out->record_size = sizeof(VmRecord);
    out->next_image = next_image;
    for (int i = 0; i < NR_PROCS; ++i) {
        const VmProc& p = vmproc[i];
        VmRecord& r = out->procs[i];
        if (!p.in_use) continue;
        r.in_use = 1;
        r.endpoint = p.vm_endpoint;
        r.slot = p.vm_slot;
        r.updates = p.updates;
        r.image = p.image;
        str::mem_copy(r.name, p.name, sizeof r.name);
    }
}

namespace {

// Why a saved record (slot i) cannot be kept, or nullptr.
const char* bad_record(const VmRecord& r, int i, std::uint64_t next) {
    if (r.in_use != 1) return "bad in-use mark";
    if (r.slot != i) return "slot does not match its place";
    if (r.endpoint == ANY || r.endpoint == NONE || r.endpoint == SELF ||
        endpoint_slot(r.endpoint) != i)
        return "endpoint not of its slot";
    bool terminated = false;
    for (char c : r.name) terminated = terminated || c == '\0';
    if (!terminated) return "name not terminated";
    if (r.image == 0 || r.image >= next) return "image id out of range";
    if (r.updates < 0) return "negative update count";
    return nullptr;
}

VmProc loaded[NR_PROCS];

}  // namespace

int vm_state_load(const VmState& in, int* kept, int* dropped) {
    if (in.magic != VM_STATE_MAGIC || in.nr_procs != static_cast<std::uint32_t>(NR_PROCS) ||
        in.record_size != sizeof(VmRecord)) {
        log_printf(
            "vm: the saved records have another layout (magic %x, %u records of %u "
            "bytes)\n",
            in.magic, in.nr_procs, in.record_size);
        return -EINVAL;
    }
    int k = 0, d = 0;
    for (int i = 0; i < NR_PROCS; ++i) {
        const VmRecord& r = in.procs[i];
        loaded[i] = VmProc{};
        if (r.in_use == 0) continue;
        const char* why = bad_record(r, i, in.next_image);
        for (int j = 0; !why && j < i; ++j)
            if (loaded[j].in_use && loaded[j].image == r.image) why = "duplicate image id";
        if (why) {
            log_printf("vm: saved record of slot %d dropped: %s\n", i, why);
            d++;
            continue;
        }
        VmProc& p = loaded[i];
        p.in_use = true;
        p.vm_endpoint = r.endpoint;
        p.vm_slot = r.slot;
        p.updates = r.updates;
        p.image = r.image;
        str::copy(p.name, r.name, sizeof p.name);
        k++;
    }
    for (int i = 0; i < NR_PROCS; ++i) vmproc[i] = loaded[i];
    next_image = in.next_image;
    changes++;
    if (kept) *kept = k;
    if (dropped) *dropped = d;
    return OK;
}

}  // namespace umk::vm
