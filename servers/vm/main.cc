// VM (MINIX servers/vm): on the Linux host, the bookkeeping of process
// memory images and the VM step of a live update (VM_RS_UPDATE).
#include "umk/err.h"
#include "umk/proc_flags.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/sef.h"
#include "umklib/syslib.h"
#include "vm.h"

namespace {

using namespace umk;

// Learn the processes that exist already from the kernel's process table.
void learn_processes() {
    static proc_info table[NR_TASKS + NR_PROCS];
    int r = sys_getinfo(GET_PROCTAB, table, sizeof table);
    if (r != OK) {
        log_printf("vm: cannot read the process table: %d\n", r);
        return;
    }
    for (const proc_info& p : table) {
        if (p.slot >= 0 && !(p.rts_flags & RTS_SLOT_FREE)) vm::vm_learn(p.endpoint, p.name);
    }
}

int init_fresh(int, sef_init_info_t* info) {
    vm::vm_init(self_endpoint(), info->rs_endpoint);
    learn_processes();
    return OK;
}

}  // namespace

int main() {
    sef_setcb_init_fresh(init_fresh);
    sef_setcb_init_restart(sef_cb_init_fail);  // VM's records cannot be rebuilt
    sef_startup();
    for (;;) {
        message m{};
        int r = sef_receive(ANY, &m);
        if (r != OK) panic("vm: receive failed: %d", r);
        endpoint_t who = m.m_source;
        int result = vm::handle_request(m);
        if (result == -EDONTREPLY) continue;
        m.m_type = result;
        r = ipc_sendnb(who, &m);
        if (r != OK) log_printf("vm: cannot reply to %d: %d\n", who, r);
    }
}
