// DS, the data store server (MINIX servers/ds/main.c): a little
// publish/subscribe store that services use to find their state again after
// a live update or a restart. SEF callbacks first, then the main loop.
//
// DS's own state - the whole store - crosses its live update and its crash
// through SEF's checkpoint area (umklib/sef_state.h): DS checkpoints after
// every request that changed the store (before replying, so that an answered
// change is saved) and in the live-update state save; the next instance
// restores it in init_lu / init_restart and checks it entry by entry
// (state.cc).
#include "state.h"
#include "store.h"
#include "umk/err.h"
#include "umk/names.h"
#include "umk/proc_flags.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/sef.h"
#include "umklib/sef_state.h"
#include "umklib/syslib.h"

namespace {

using namespace umk;

// The checkpoint area (two copies, SEF's) and the stream written into it.
alignas(8) unsigned char state_area[sef_state_area_size(ds::STATE_MAX_BYTES)];
alignas(8) unsigned char state_buf[ds::STATE_MAX_BYTES];
std::uint64_t checkpointed = ~std::uint64_t{0};

// MINIX DS maps every boot service at init (RS's boot image table): the
// kernel's process table gives us the same, so that boot services are known
// by their names (RS's labels) before RS gets to publish them.
void map_boot_services() {
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

// Save the store if it changed since the last checkpoint (`force`: always,
// the live update's last word).
void checkpoint(bool force) {
    if (!force && ds::store_changes() == checkpointed) return;
    const std::size_t n = ds::state_save(state_buf, sizeof state_buf);
    const int r = n ? sef_state_checkpoint(state_buf, n) : -E2BIG;
    if (r != OK) {
        log_printf("ds: cannot checkpoint the store: %s\n", errno_name(r));
        return;
    }
    checkpointed = ds::store_changes();
}

// The predecessor's store, checked (state.cc): OK, or why not (logged).
int restore() {
    std::size_t len = sizeof state_buf;
    std::uint32_t version = 0;
    int r = sef_state_restore(state_buf, &len, &version);
    if (r == OK && version != ds::STATE_VERSION) {
        log_printf("ds: the saved store has layout version %u, this DS reads %u\n", version,
                   ds::STATE_VERSION);
        r = -EINVAL;
    }
    ds::RestoreReport rep;
    if (r == OK) r = ds::state_load(state_buf, len, self_endpoint(), &rep);
    if (r != OK) return r;
    log_printf(
        "ds: store restored: %d entries, %d subscriptions (%d entries, %d subscriptions "
        "dropped as damaged)\n",
        rep.entries, rep.subs, rep.dropped_entries, rep.dropped_subs);
    return OK;
}

int init_fresh(int, sef_init_info_t* info) {
    ds::store_init(self_endpoint(), info->rs_endpoint);
    map_boot_services();
    checkpoint(true);
    return OK;
}

// The old version waits frozen with the store it saved: without it this
// version must not take over (RS rolls back). Calls nobody (in a
// multi-component update the others are initializing too).
int init_lu(int, sef_init_info_t*) {
    int r = restore();
    if (r != OK) {
        log_printf("ds: live update refused: the old version's store cannot be restored (%s: %s)\n",
                   errno_name(r), sef_state_error(r));
        return r;
    }
    checkpoint(true);
    return OK;
}

// A crash: the dead instance's last checkpoint, or, if it is lost, an empty
// store with the boot labels, which RS completes by republishing every label.
int init_restart(int, sef_init_info_t* info) {
    int r = restore();
    if (r == OK) {
        ds::store_ensure_rs_label(info->rs_endpoint);
        // A change the crash interrupted may not have reached its subscriber.
        ds::detail::notify_pending();
    } else {
        log_printf(
            "ds: state of the previous instance lost (%s: %s); starting empty: every "
            "entry and subscription is gone, RS republishes the labels\n",
            errno_name(r), sef_state_error(r));
        ds::store_init(self_endpoint(), info->rs_endpoint);
        map_boot_services();
    }
    checkpoint(true);
    return OK;
}

int state_save(int) {
    checkpoint(true);
    return OK;
}

}  // namespace

int main() {
    int r = sef_state_setup(state_area, sizeof state_area, ds::STATE_MAX_BYTES, ds::STATE_VERSION);
    if (r != OK) panic("ds: cannot set up the checkpoint area: %d", r);
    sef_setcb_init_fresh(init_fresh);
    sef_setcb_init_lu(init_lu);
    sef_setcb_init_restart(init_restart);
    // DS is between two requests whenever it receives: every standard state
    // is reached at once.
    sef_setcb_lu_prepare(sef_cb_lu_prepare_always_ready);
    sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_standard);
    sef_setcb_lu_state_save(state_save);
    sef_startup();

    for (;;) {
        message m{};
        r = sef_receive(ANY, &m);
        if (r != OK) panic("ds: receive failed: %d", r);
        endpoint_t who = m.m_source;
        int result = ds::handle_request(m);
        // Before the answer: a change the caller has seen is saved.
        checkpoint(false);
        if (result == -EDONTREPLY) continue;
        m.m_type = result;
        // The caller waits in SENDREC; never block DS on a caller that does not.
        r = ipc_sendnb(who, &m);
        if (r != OK) log_printf("ds: cannot reply to %d: %d\n", who, r);
    }
}
