// Live update of other services (MINIX 3.1.7 servers/rs live update): the
// new version is created but not allowed to run; the old one is asked to
// prepare once the new one has started; VM swaps the two so that the new
// image runs at the old endpoint; the new image initializes there, and if
// that init fails, crashes or hangs RS swaps back (rollback) and the old
// version goes on. RS's update of itself is in self_update.cc; the
// timeouts are checked by RS's clock (recovery.cc).
#include "manager.h"
#include "umk/err.h"
#include "umk/sig.h"
#include "umk/str.h"
#include "umklib/sef.h"

namespace umk::rs {
namespace {

const char* lu_reason(int err) {
    switch (-err) {
        case ENOSYS:
            return "the service does not support live update";
        case EINVAL:
            return "the state is not supported";
        case EBUSY:
            return "the service cannot prepare now";
        case EINTR:
            return "maximum prepare time reached";
        default:
            return "generic error";
    }
}

}  // namespace

int Manager::do_update(const Request& rq) {
    const rs_start& st = *rq.start;
    if (!st.label[0]) return -EINVAL;
    if (str::eq(st.label, "rs")) return do_update_self(rq);
    Service* s = find_label(st.label, false);
    if (!s) return -ESRCH;
    if (upd_.active || sup_.active) return -EBUSY;
    if (!(s->flags & RS_ACTIVE) || (s->flags & (RS_EXITING | RS_REFRESHING | RS_INITIALIZING)))
        return -EBUSY;
    if (st.state <= SEF_LU_STATE_NULL) return -EINVAL;
    if (st.maxtime < 0 || st.maxtime > LU_MAXTIME_MAX) return -EINVAL;
    if (st.args_len > sizeof st.args) return -E2BIG;
    Service* n = alloc();
    if (!n) return -ENOMEM;
    str::copy(n->label, s->label, sizeof n->label);
    bool self = (st.flags & RSS_SELF) || !st.program[0];
    str::copy(n->program, self ? s->program : st.program, sizeof n->program);
    if (st.args_len) {
        str::mem_copy(n->args, st.args, st.args_len);
        n->args_len = st.args_len;
    } else {
        str::mem_copy(n->args, s->args, sizeof n->args);
        n->args_len = s->args_len;
    }
    str::copy(n->script, st.script[0] ? st.script : s->script, sizeof n->script);
    // Without an entry of its own the new version keeps the old one's
    // privileges; with one, at most the label's grant.
    if (!(st.flags & RSS_HAS_CONF))
        n->conf = s->conf;
    else if (int r = granted_conf(s->label, n->program, st, &n->conf); r != OK) {
        release(*n);
        return r;
    }
    n->period = st.period >= 0 ? st.period : s->period;
    n->restarts = s->restarts;
    n->flags |= RS_UPDATING | (s->flags & (RS_BOOT | RS_CORE | RS_NO_RESTART));
    n->published = s->published;
    int r = start(*n, SEF_INIT_LU, s->endpoint, false);
    if (r != OK) {
        logf("RS: update of '%s' failed: cannot create the new version: %s", s->label,
             errno_name(r));
        release(*n);
        return r;
    }
    s->flags |= RS_UPDATING;
    upd_ = Update{};
    upd_.active = true;
    upd_.old_srv = s;
    upd_.new_srv = n;
    upd_.state = st.state;
    upd_.maxtime = st.maxtime ? st.maxtime : LU_MAXTIME_DEFAULT;
    upd_.debug = st.debug;
    upd_.start = host_->now();
    upd_.requester = rq.caller;
    upd_.result = -ERESTART;
    // The old version stops serving as soon as it is ready; let the new one
    // load first (proc_started, or tick after LU_START_WAIT).
    if (host_->started(n->endpoint)) update_prepare();
    return -EDONTREPLY;
}

void Manager::update_prepare() {
    upd_.prepare_sent = true;
    host_->send_lu_prepare(upd_.old_srv->endpoint, upd_.state, upd_.maxtime);
}

void Manager::proc_started() {
    if (awaiting_start() && host_->started(upd_.new_srv->endpoint)) update_prepare();
}

void Manager::lu_ready(endpoint_t src, int result) {
    if (!upd_.active || upd_.swapped || !upd_.prepare_sent || upd_.old_srv->endpoint != src) {
        host_->reply(src, -EINTR, NONE);  // stale: the update is over; the service goes on
        return;
    }
    Service& o = *upd_.old_srv;
    Service& n = *upd_.new_srv;
    if (result != OK) {
        logf("RS: update of '%s' failed: %s", o.label, lu_reason(result));
        host_->reply(src, result, NONE);
        update_end(result);
        return;
    }
    endpoint_t old_ep = o.endpoint, new_ep = n.endpoint;
    int r = host_->vm_update(old_ep, new_ep, false);
    if (r != OK) {
        logf("RS: update of '%s' failed: VM could not swap: %s", o.label, errno_name(r));
        host_->reply(src, r, NONE);
        update_end(r);
        return;
    }
    // The new image now runs at the old endpoint; the old one waits, frozen
    // in its SENDREC, at the new version's endpoint.
    n.endpoint = old_ep;
    o.endpoint = new_ep;
    upd_.swapped = true;
    r = host_->allow(old_ep);
    // The old image, now at new_ep, granted its state area to old_ep: ours.
    if (r == OK)
        r = host_->send_init(old_ep, SEF_INIT_LU, n.restarts, old_ep, upd_.debug, new_ep,
                             o.state_grant);
    if (r != OK) {
        update_rollback(r);
        return;
    }
    n.flags |= RS_INITIALIZING;
    n.deadline = host_->now() + static_cast<clock_t_>(upd_.maxtime);
}

// Before the swap: forget the new version, the old one goes on.
void Manager::update_end(int result) {
    Service& o = *upd_.old_srv;
    Service& n = *upd_.new_srv;
    endpoint_t requester = upd_.requester;
    o.flags &= ~RS_UPDATING;
    upd_ = Update{};
    cleanup(n, false);
    host_->reply(requester, result, o.endpoint);
}

// After the swap: the new version failed, crashed or hung in its init.
// Swap back at once; the old version resumes from its ready SENDREC with
// ERESTART.
void Manager::update_rollback(int result) {
    Service& o = *upd_.old_srv;
    Service& n = *upd_.new_srv;
    endpoint_t requester = upd_.requester;
    endpoint_t old_ep = n.endpoint, new_ep = o.endpoint;
    if (!(n.flags & RS_TERMINATED)) host_->kill(old_ep, SIGKILL);  // freeze it: updatable
    upd_ = Update{};
    int r = host_->vm_update(old_ep, new_ep, true);
    if (r != OK) {
        // The old image is stuck at the other endpoint: treat the service as
        // crashed and recover it by restarting.
        logf("RS: rollback of '%s' failed: %s; restarting it", o.label, errno_name(r));
        host_->reply(requester, result, old_ep);
        cleanup(o, true);
        n.flags &= ~(RS_UPDATING | RS_INITIALIZING);
        n.flags |= RS_TERMINATED;
        restart_now(n);
        return;
    }
    o.endpoint = old_ep;
    n.endpoint = new_ep;
    host_->reply(old_ep, -ERESTART, NONE);
    o.flags &= ~RS_UPDATING;
    cleanup(n, false);
    logf("RS: update of '%s' failed: new version did not initialize (%s); rolled back", o.label,
         errno_name(result));
    host_->reply(requester, result, old_ep);
}

void Manager::update_commit() {
    Service& o = *upd_.old_srv;
    Service& n = *upd_.new_srv;
    endpoint_t requester = upd_.requester;
    upd_ = Update{};
    host_->reply(n.endpoint, OK, NONE);
    n.flags &= ~(RS_INITIALIZING | RS_UPDATING);
    n.flags |= RS_ACTIVE;
    n.alive_tm = n.check_tm = host_->now();
    cleanup(o, true);
    logf("RS: update of '%s' succeeded", n.label);
    host_->reply(requester, OK, n.endpoint);
}

}  // namespace umk::rs
