// DS, the data store server (MINIX servers/ds/main.c): a little
// publish/subscribe store that services use to find their state again after
// a live update or a restart. SEF callbacks first, then the main loop.
#include "store.h"
#include "umk/err.h"
#include "umk/proc_flags.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/sef.h"
#include "umklib/syslib.h"

namespace {

// MINIX DS maps every boot service at init (RS's boot image table): the
// kernel's process table gives us the same, so that boot services are known
// by their names (RS's labels) before RS gets to publish them.
void map_boot_services() {
    using namespace umk;
    static proc_info table[NR_TASKS + NR_PROCS];
    int r = sys_getinfo(GET_PROCTAB, table, sizeof table);
    if (r != OK) {
        log_printf("ds: cannot read the process table: %d\n", r);
        return;
    }
    for (const proc_info& p : table) {
        if (p.slot < 0 || (p.rts_flags & RTS_SLOT_FREE) || p.name[0] == '\0') continue;
        if (p.endpoint == self_endpoint()) continue;  // DS is "ds" anyway
        ds::store_add_boot_label(p.name, p.endpoint);
    }
}

int init_fresh(int, umk::sef_init_info_t* info) {
    umk::ds::store_init(umk::self_endpoint(), info->rs_endpoint);
    map_boot_services();
    return umk::OK;
}

}  // namespace

int main() {
    using namespace umk;
    // As in MINIX: DS keeps everybody's state and cannot get its own back,
    // so a restart fails and there is no live update.
    sef_setcb_init_fresh(init_fresh);
    sef_setcb_init_restart(sef_cb_init_fail);
    sef_startup();

    for (;;) {
        message m{};
        int r = sef_receive(ANY, &m);
        if (r != OK) panic("ds: receive failed: %d", r);
        endpoint_t who = m.m_source;
        int result = ds::handle_request(m);
        if (result == -EDONTREPLY) continue;
        m.m_type = result;
        // The caller waits in SENDREC; never block DS on a caller that does not.
        r = ipc_sendnb(who, &m);
        if (r != OK) log_printf("ds: cannot reply to %d: %d\n", who, r);
    }
}
