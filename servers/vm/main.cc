// VM (MINIX servers/vm): on the Linux host, the bookkeeping of process
// memory images and the VM step of a live update (VM_RS_UPDATE).
//
// VM's records cross its live update and its crash through SEF's
// checkpoint area: VM checkpoints after every request that changed them and
// in the live-update state save; the next instance restores them, checks
// each, and asks the kernel's process table what changed meanwhile. VM
// cannot swap itself, so for VM's own update (and its restart) RS calls
// sys_update directly (MINIX srv_update) and the new VM swaps its own
// record with its predecessor's at init (MINIX sef_cb_init_lu_restart).
#include "umk/err.h"
#include "umk/names.h"
#include "umk/proc_flags.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/sef.h"
#include "umklib/sef_state.h"
#include "umklib/syslib.h"
#include "vm.h"

namespace {

using namespace umk;

alignas(8) unsigned char state_area[sef_state_area_size(sizeof(vm::VmState))];
vm::VmState state_buf;
std::uint64_t checkpointed = ~std::uint64_t{0};

void checkpoint(bool force) {
    if (!force && vm::vm_changes() == checkpointed) return;
    vm::vm_state_save(&state_buf);
    int r = sef_state_checkpoint(&state_buf, sizeof state_buf);
    if (r != OK) {
        log_printf("vm: cannot checkpoint the records: %s\n", errno_name(r));
        return;
    }
    checkpointed = vm::vm_changes();
}

// The kernel's process table: every process that exists now.
void learn_processes() {
    static proc_info table[NR_TASKS + NR_PROCS];
    static vm::ProcTabEntry procs[NR_TASKS + NR_PROCS];
    int r = sys_getinfo(GET_PROCTAB, table, sizeof table);
    if (r != OK) {
        log_printf("vm: cannot read the process table: %d\n", r);
        return;
    }
    int n = 0;
    for (const proc_info& p : table) {
        if (p.slot < 0) continue;
        procs[n++] = {p.endpoint, (p.rts_flags & RTS_SLOT_FREE) != 0, p.name};
    }
    vm::vm_reconcile(procs, n);
}

int restore() {
    std::size_t len = sizeof state_buf;
    std::uint32_t version = 0;
    int r = sef_state_restore(&state_buf, &len, &version);
    if (r == OK && (version != vm::VM_STATE_VERSION || len != sizeof state_buf)) {
        log_printf("vm: the saved records are version %u (%zu bytes), this VM reads %u\n", version,
                   len, vm::VM_STATE_VERSION);
        r = -EINVAL;
    }
    int kept = 0, dropped = 0;
    if (r == OK) r = vm::vm_state_load(state_buf, &kept, &dropped);
    if (r == OK)
        log_printf("vm: records restored: %d processes (%d dropped as damaged)\n", kept, dropped);
    return r;
}

int init_fresh(int, sef_init_info_t* info) {
    vm::vm_init(self_endpoint(), info->rs_endpoint);
    learn_processes();
    checkpoint(true);
    return OK;
}

// The kernel put this image at VM's endpoint (RS's sys_update) and the
// predecessor's at ours before: VM's part of that swap is done here.
int take_over_from_predecessor() {
    const endpoint_t prev = sef_state_predecessor();
    if (prev == NONE) return OK;
    // The record of the slot this image was loaded into, if the old VM
    // never heard of it.
    vm::vm_learn(prev, "vm");
    return vm::vm_swap_records(self_endpoint(), prev);
}

// Live update: the old version's records, or no update (RS rolls back).
// Only the kernel is asked (no other service: they may be updating too).
int init_lu(int, sef_init_info_t* info) {
    vm::vm_init(self_endpoint(), info->rs_endpoint);
    int r = restore();
    if (r != OK) {
        log_printf(
            "vm: live update refused: the old version's records cannot be restored (%s: "
            "%s)\n",
            errno_name(r), sef_state_error(r));
        return r;
    }
    r = take_over_from_predecessor();
    if (r != OK) return r;
    checkpoint(true);
    return OK;
}

// A crash: the dead instance's records, brought up to date from the kernel's
// process table; if they are lost, the process table alone.
int init_restart(int, sef_init_info_t* info) {
    vm::vm_init(self_endpoint(), info->rs_endpoint);
    int r = restore();
    if (r == OK) {
        take_over_from_predecessor();
    } else {
        log_printf(
            "vm: state of the previous instance lost (%s: %s); rebuilding the records "
            "from the process table (image ids and update counts start again)\n",
            errno_name(r), sef_state_error(r));
        vm::vm_init(self_endpoint(), info->rs_endpoint);
    }
    learn_processes();
    checkpoint(true);
    return OK;
}

int state_save(int) {
    checkpoint(true);
    return OK;
}

}  // namespace

int main() {
    int r =
        sef_state_setup(state_area, sizeof state_area, sizeof(vm::VmState), vm::VM_STATE_VERSION);
    if (r != OK) panic("vm: cannot set up the checkpoint area: %d", r);
    sef_setcb_init_fresh(init_fresh);
    sef_setcb_init_lu(init_lu);
    sef_setcb_init_restart(init_restart);
    // VM is between two requests whenever it receives.
    sef_setcb_lu_prepare(sef_cb_lu_prepare_always_ready);
    sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_standard);
    sef_setcb_lu_state_save(state_save);
    sef_startup();
    for (;;) {
        message m{};
        r = sef_receive(ANY, &m);
        if (r != OK) panic("vm: receive failed: %d", r);
        endpoint_t who = m.m_source;
        int result = vm::handle_request(m);
        checkpoint(false);
        if (result == -EDONTREPLY) continue;
        m.m_type = result;
        r = ipc_sendnb(who, &m);
        if (r != OK) log_printf("vm: cannot reply to %d: %d\n", who, r);
    }
}
