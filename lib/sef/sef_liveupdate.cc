// SEF live update (MINIX lib/libsys/sef_liveupdate.c).
//
// RS asks the running version to reach a state (RS_LU_PREPARE with
// RS_LU_STATE; 0 cancels). Before each later receive the service is asked
// whether it has reached it (WORK_FREE is reached at once, since the service
// is between two requests whenever it receives). When it has, state_save()
// runs and the service tells RS with a SENDREC: if the update goes ahead, RS
// swaps this image out and the SENDREC never returns; an answer means the
// update was aborted or rolled back, and the service simply carries on.
#include "../lib_internal.h"
#include "sef_internal.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/rs_proto.h"

namespace umk {
namespace sef {
namespace {

struct LuCallbacks {
    sef_cb_lu_prepare_t prepare = sef_cb_lu_prepare_null;
    sef_cb_lu_state_isvalid_t isvalid = sef_cb_lu_state_isvalid_null;
    sef_cb_lu_state_changed_t changed = sef_cb_lu_state_changed_null;
    sef_cb_lu_state_dump_t dump = sef_cb_lu_state_dump_null;
    sef_cb_lu_state_save_t save = sef_cb_lu_state_save_null;
};
LuCallbacks cbs;
int lu_state = SEF_LU_STATE_NULL;

void set_state(int state) {
    const int old = lu_state;
    lu_state = state;
    if (old != state) cbs.changed(old, state);
}

// Tell RS we are ready (result OK) or cannot prepare (an error).
void lu_ready(int result) {
    if (result == OK) {
        const int r = cbs.save(lu_state);
        if (r != OK) result = r;  // the state could not be saved: abort
    }
    message m = detail::blank_message();
    m.m_type = RS_LU_PREPARE;
    m.RS_LU_STATE = lu_state;
    m.RS_LU_RESULT = result;
    const int r = ipc_sendrec(rs_endpoint, &m);
    if (r != OK) panic("sef: cannot report live-update readiness to RS %d: %d", rs_endpoint, r);

    // Still here: RS did not update us (it aborted, rolled back, or we
    // reported an error). Back to normal service.
    if (result == OK) {
        log_printf("sef: live update to state %d aborted by RS (%s); continuing\n", lu_state,
                   errno_name(m.m_type));
    }
    set_state(SEF_LU_STATE_NULL);
}

}  // namespace

bool lu_preparing() {
    return lu_state != SEF_LU_STATE_NULL;
}

void lu_before_receive() {
    if (lu_state == SEF_LU_STATE_NULL) return;
    const int r = lu_state == SEF_LU_STATE_WORK_FREE ? OK : cbs.prepare(lu_state);
    if (r == OK) lu_ready(OK);
}

void lu_request(const message& m) {
    const int state = m.RS_LU_STATE;
    const bool valid = state == SEF_LU_STATE_NULL || cbs.isvalid(state);
    if (!valid) {
        // A service that never declared its states does not do live update
        // at all (ENOSYS); one that did does not know this state (EINVAL).
        lu_ready(cbs.isvalid == sef_cb_lu_state_isvalid_null ? -ENOSYS : -EINVAL);
        return;
    }
    set_state(state);
}

void lu_reset() {
    cbs = LuCallbacks{};
    lu_state = SEF_LU_STATE_NULL;
}

}  // namespace sef

void sef_setcb_lu_prepare(sef_cb_lu_prepare_t cb) {
    sef::cbs.prepare = cb ? cb : sef_cb_lu_prepare_null;
}
void sef_setcb_lu_state_isvalid(sef_cb_lu_state_isvalid_t cb) {
    sef::cbs.isvalid = cb ? cb : sef_cb_lu_state_isvalid_null;
}
void sef_setcb_lu_state_changed(sef_cb_lu_state_changed_t cb) {
    sef::cbs.changed = cb ? cb : sef_cb_lu_state_changed_null;
}
void sef_setcb_lu_state_dump(sef_cb_lu_state_dump_t cb) {
    sef::cbs.dump = cb ? cb : sef_cb_lu_state_dump_null;
}
void sef_setcb_lu_state_save(sef_cb_lu_state_save_t cb) {
    sef::cbs.save = cb ? cb : sef_cb_lu_state_save_null;
}

int sef_cb_lu_prepare_null(int) {
    return -ENOTREADY;
}
int sef_cb_lu_prepare_always_ready(int) {
    return OK;
}
int sef_cb_lu_prepare_never_ready(int) {
    return -ENOTREADY;
}
int sef_cb_lu_prepare_crash(int) {
    sef::crash("at update prepare time");
}
int sef_cb_lu_state_isvalid_null(int) {
    return 0;
}
int sef_cb_lu_state_isvalid_standard(int state) {
    return state >= SEF_LU_STATE_WORK_FREE && state <= SEF_LU_STATE_PROTOCOL_FREE;
}
void sef_cb_lu_state_changed_null(int, int) {}
void sef_cb_lu_state_dump_null(int) {}
int sef_cb_lu_state_save_null(int) {
    return OK;
}

}  // namespace umk
