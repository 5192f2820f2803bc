// PM (MINIX servers/pm/main.c): SEF callbacks, then the main loop. PM is
// the signal manager of user processes (and of system processes switched to
// it): SEF hands it each kernel signal through sig_manager.
//
// State (umklib/sef_state.h): the process table, the suspended waits and
// the pid counter (pm::PmState) are checkpointed after every change, before
// the answer goes out, and once more by the old version of a live update.
// The new version (init_lu) and a replica after a crash (init_restart,
// `restart` policy: same endpoint) take them over.
#include "pm.h"
#include "umk/err.h"
#include "umk/names.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/sef.h"
#include "umklib/sef_state.h"
#include "umklib/syslib.h"

namespace {

using namespace umk;

// A custom live-update state PM never reaches: an update asked for it
// times out (EINTR), which is how the tests check that path.
constexpr int PM_LU_STATE_UNREACHABLE = SEF_LU_STATE_CUSTOM_BASE;

alignas(8) unsigned char state_area[sef_state_area_size(sizeof(pm::PmState))];
pm::PmState snapshot;  // static: 10 KB is too much for the stack
bool checkpoint_failed = false;

int checkpoint() {
    pm::state_save(snapshot);
    const int r = sef_state_checkpoint(&snapshot, sizeof snapshot);
    if (r != OK && !checkpoint_failed)
        log_printf("pm: cannot checkpoint the process table (%s): a crash will lose it\n",
                   errno_name(r));
    checkpoint_failed = r != OK;
    pm::state_clean();
    return r;
}

void checkpoint_if_changed() {
    if (pm::state_dirty()) checkpoint();
}

int count_zombies(const pm::PmState& s, int* live) {
    int z = 0;
    *live = 0;
    for (const pm::MProc& p : s.mproc) {
        if (!(p.flags & pm::MP_IN_USE)) continue;
        if (p.flags & pm::MP_ZOMBIE)
            ++z;
        else
            ++*live;
    }
    return z;
}

// The predecessor's newest valid checkpoint, checked: OK, or the error
// with a log line that names it.
int take_over(const char* why_here) {
    std::size_t len = sizeof snapshot;
    std::uint32_t version = 0;
    int r = sef_state_restore(&snapshot, &len, &version);
    if (r != OK) return r;
    if (version != pm::PM_STATE_VERSION) {
        log_printf("pm: %s: the checkpoint has layout version %u, this PM reads %u (EINVAL)\n",
                   why_here, version, pm::PM_STATE_VERSION);
        return -EINVAL;
    }
    const char* why = nullptr;
    r = pm::state_load(snapshot, len, &why);
    if (r != OK) {
        log_printf("pm: %s: the checkpoint is damaged (%s): EINVAL\n", why_here, why);
        return r;
    }
    return OK;
}

int init_fresh(int, sef_init_info_t* info) {
    pm::pm_init(self_endpoint(), info->rs_endpoint);
    checkpoint();
    return OK;
}

// Live update: the old version saved everything in its last checkpoint.
// No other service is called here (in a multi-component update they are
// initializing too).
int init_lu(int, sef_init_info_t* info) {
    pm::pm_init(self_endpoint(), info->rs_endpoint);
    int r = take_over("live update");
    if (r != OK) {
        log_printf("pm: live update: cannot take over the old version's state (%s)\n",
                   errno_name(r));
        return r;
    }
    r = checkpoint();
    int live = 0;
    const int zombies = count_zombies(snapshot, &live);
    log_printf("pm: live update: took over %d processes, %d zombies, %d suspended waits\n", live,
               zombies, pm::waits_pending());
    return r;
}

// A crash (`restart` policy: this replica has the dead PM's endpoint). The
// kernel's process table says which processes exist; the checkpoint adds
// what only PM knew (parents, pids, zombies and their statuses).
int init_restart(int, sef_init_info_t* info) {
    pm::pm_init(self_endpoint(), info->rs_endpoint);
    static proc_info tab[NR_TASKS + NR_PROCS];
    int n = NR_TASKS + NR_PROCS;
    if (int r = sys_getinfo(GET_PROCTAB, tab, sizeof tab); r != OK) {
        log_printf("pm: restart: cannot read the kernel's process table (%s)\n", errno_name(r));
        n = 0;
    }
    const int r = take_over("restart");
    if (r == OK) {
        const pm::Reconciled rc = pm::state_reconcile(tab, n);
        checkpoint();
        int live = 0;
        const int zombies = count_zombies(snapshot, &live);
        log_printf(
            "pm: restarted with the previous instance's state: %d processes, %d zombies; %d "
            "suspended waits were failed with ERESTART (the callers retry); %d gone, %d "
            "adopted, %d cleared\n",
            live, zombies, rc.waits_dropped, rc.gone, rc.adopted, rc.cleared);
    } else {
        const char* cause = sef_state_error(r);
        const int found = pm::state_rebuild(tab, n);
        log_printf(
            "pm: state of the previous instance lost (%s: %s); rebuilt %d user processes from "
            "the kernel's process table as orphans with new pids: their parents, zombies and "
            "exit statuses are lost\n",
            errno_name(r), cause, found);
    }
    checkpoint();
    return OK;
}

int lu_state_isvalid(int state) {
    return sef_cb_lu_state_isvalid_standard(state) || state == PM_LU_STATE_UNREACHABLE;
}

// WORK_FREE is every receive (SEF does not ask). REQUEST_FREE: nobody waits
// for PM's answer either (no suspended PM_WAIT) and nothing is in flight;
// PROTOCOL_FREE: no message of PM's is still undelivered (its SENDA table
// stays with the old image). Requests PM makes itself (kernel calls,
// DEVMAN_FORK) are complete whenever it receives.
int lu_prepare(int state) {
    bool ready = false;
    switch (state) {
        case SEF_LU_STATE_REQUEST_FREE:
            ready = pm::waits_pending() == 0 && asynsend_pending() == 0;
            break;
        case SEF_LU_STATE_PROTOCOL_FREE:
            ready = asynsend_pending() == 0;
            break;
        default:  // PM_LU_STATE_UNREACHABLE
            return -ENOTREADY;
    }
    if (ready) return OK;
    // An idle PM receives nothing that would make SEF ask again: an alarm
    // in a tick does.
    sys_setalarm(1, false);
    return -ENOTREADY;
}

// The old version's last word: everything in one checkpoint. A note to
// devman still in the SENDA table would be lost with this image: refuse
// (the update fails with EBUSY; ask again, or use -state 3, which waits).
int lu_state_save(int) {
    if (const int n = asynsend_pending(); n > 0) {
        log_printf("pm: live update refused: %d messages still undelivered (EBUSY)\n", n);
        return -EBUSY;
    }
    return checkpoint();
}

int sig_manager(endpoint_t target, int sig) {
    const int r = pm::sig_manager(target, sig);
    checkpoint_if_changed();
    return r;
}

}  // namespace

int main() {
    using namespace umk;
    if (int r = sef_state_setup(state_area, sizeof state_area, sizeof(pm::PmState),
                                pm::PM_STATE_VERSION);
        r != OK)
        panic("pm: cannot set up the state area: %d", r);
    sef_setcb_init_fresh(init_fresh);
    sef_setcb_init_lu(init_lu);
    sef_setcb_init_restart(init_restart);
    sef_setcb_lu_state_isvalid(lu_state_isvalid);
    sef_setcb_lu_prepare(lu_prepare);
    sef_setcb_lu_state_save(lu_state_save);
    sef_setcb_signal_manager(sig_manager);
    sef_startup();
    for (;;) {
        message m{};
        int r = sef_receive(ANY, &m);
        if (r != OK) panic("pm: receive failed: %d", r);
        endpoint_t who = m.m_source;
        int result = pm::handle_request(m);
        // Before the answer: what the caller learns survives a crash
        // (at-least-once for a request whose effect was checkpointed).
        checkpoint_if_changed();
        if (result == -EDONTREPLY) continue;
        m.m_type = result;
        r = ipc_sendnb(who, &m);
        if (r != OK) log_printf("pm: cannot reply to %d: %d\n", who, r);
    }
}
