// Live update of other services (MINIX 3.1.7 servers/rs live update, and
// MINIX 3.4's multi-component update). An update is a batch: one service
// (`service update`), or every request queued with `service update ... -q`
// when `service sysctl upd_run` runs them. For each member the new version
// is created but not allowed to run; its old version is asked to prepare
// once the new one has started. When every old version waits in its ready
// SENDREC, VM swaps each pair so that the new image runs at the old
// endpoint, and every new version gets RS_INIT LU. RS answers none of them
// until all have answered: all OK, all commit; one failure, crash or
// timeout, and every swapped member is swapped back (the old versions
// resume from their SENDREC with ERESTART) and the unswapped ones are
// cancelled. RS's update of itself is in self_update.cc (not part of a
// batch yet); the timeouts are checked by RS's clock (update_tick).
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

// ---- requests ----

int Manager::do_update(const Request& rq) {
    const rs_start& st = *rq.start;
    if (!st.label[0]) return -EINVAL;
    if (st.flags & RSS_QUEUE) return update_queue(st);
    if (str::eq(st.label, "rs")) return do_update_self(rq);
    const rs_start* one = &st;
    return update_begin(&one, 1, rq.caller);
}

int Manager::do_sysctl(const Request& rq) {
    switch (rq.subtype) {
        case RS_SYSCTL_UPD_RUN: {
            if (upd_.active || sup_.active) return -EBUSY;
            if (queue_.n == 0) {
                logf("RS: upd_run: no update queued (EINVAL)");
                return -EINVAL;
            }
            for (int i = 0; i < queue_.n; ++i)
                if (str::eq(queue_.st[i].label, "rs")) return update_run_with_rs(i, rq.caller);
            const rs_start* list[LU_MAX_MEMBERS];
            for (int i = 0; i < queue_.n; ++i) list[i] = &queue_.st[i];
            const int n = queue_.n;
            // The queue is consumed whatever happens: a failed run is
            // queued again by whoever wants it again.
            queue_.n = 0;
            logf("RS: upd_run: updating %d service(s) as one", n);
            return update_begin(list, n, rq.caller);
        }
        case RS_SYSCTL_UPD_STOP:
            if (queue_.n) logf("RS: upd_stop: %d queued update(s) dropped", queue_.n);
            queue_.n = 0;
            return OK;
        default:
            return -EINVAL;
    }
}

// Whether `st` may start an update now; *old gets the service.
int Manager::update_check(const rs_start& st, Service** old) {
    if (!st.label[0]) return -EINVAL;
    Service* s = find_label(st.label, false);
    if (!s) return -ESRCH;
    if (upd_.active || (sup_.active && !sup_.batch)) return -EBUSY;
    if (!(s->flags & RS_ACTIVE) || (s->flags & (RS_EXITING | RS_REFRESHING | RS_INITIALIZING)))
        return -EBUSY;
    if (st.state <= SEF_LU_STATE_NULL) return -EINVAL;
    if (st.maxtime < 0 || st.maxtime > LU_MAXTIME_MAX) return -EINVAL;
    if (st.args_len > sizeof st.args) return -E2BIG;
    *old = s;
    return OK;
}

// `update ... -q`: checked now (the answer says whether it can run), run
// by `sysctl upd_run`. One entry per label.
int Manager::update_queue(const rs_start& st) {
    if (str::eq(st.label, "rs")) {
        // RS itself: checked as do_update_self checks it.
        if (upd_.active || sup_.active) return -EBUSY;
        if (st.state <= SEF_LU_STATE_NULL) return -EINVAL;
        if (st.maxtime < 0 || st.maxtime > LU_MAXTIME_MAX) return -EINVAL;
        if (st.args_len > sizeof st.args) return -E2BIG;
    } else {
        Service* s = nullptr;
        if (int r = update_check(st, &s); r != OK) return r;
    }
    for (int i = 0; i < queue_.n; ++i)
        if (str::eq(queue_.st[i].label, st.label)) {
            logf("RS: update of '%s' is already queued (EBUSY)", st.label);
            return -EBUSY;
        }
    if (queue_.n == LU_MAX_MEMBERS) {
        logf("RS: cannot queue the update of '%s': %d updates queued already (ENOSPC)", st.label,
             LU_MAX_MEMBERS);
        return -ENOSPC;
    }
    queue_.st[queue_.n++] = st;
    logf("RS: update of '%s' queued (%d in the queue)", st.label, queue_.n);
    return OK;
}

// Create every member's new version, then ask the old versions to prepare
// as their new versions start. Nothing is left behind if a member cannot
// be created.
int Manager::update_begin(const rs_start* const* st, int n, endpoint_t requester) {
    // One update (batch) at a time; a batch with RS starts its other
    // members while the new RS waits (update_rs_ready).
    if (upd_.active || (sup_.active && !sup_.batch)) return -EBUSY;
    upd_ = Update{};
    for (int i = 0; i < n; ++i) {
        int r = update_member(*st[i], &upd_.m[i]);
        if (r != OK) {
            logf("RS: update of '%s' failed: cannot create the new version: %s", st[i]->label,
                 errno_name(r));
            for (int j = 0; j < upd_.n; ++j) {
                upd_.m[j].old_srv->flags &= ~RS_UPDATING;
                cleanup(*upd_.m[j].new_srv, false);
            }
            upd_ = Update{};
            return r;
        }
        upd_.n = i + 1;  // update_new_version() knows it from now on
    }
    upd_.active = true;
    upd_.start = host_->now();
    upd_.requester = requester;
    upd_.result = -ERESTART;
    // An old version stops serving as soon as it is ready; let its new one
    // load first (proc_started, or update_tick after LU_START_WAIT).
    for (int i = 0; i < upd_.n; ++i)
        if (host_->started(upd_.m[i].new_srv->endpoint)) update_prepare(upd_.m[i]);
    return -EDONTREPLY;
}

int Manager::update_member(const rs_start& st, UpdateMember* mb) {
    Service* s = nullptr;
    if (int r = update_check(st, &s); r != OK) return r;
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
        release(*n);
        return r;
    }
    s->flags |= RS_UPDATING;
    *mb = UpdateMember{};
    mb->old_srv = s;
    mb->new_srv = n;
    mb->state = st.state;
    mb->maxtime = st.maxtime ? st.maxtime : LU_MAXTIME_DEFAULT;
    mb->debug = st.debug;
    return OK;
}

// ---- prepare ----

bool Manager::awaiting_start() const {
    if (!upd_.active) return false;
    for (int i = 0; i < upd_.n; ++i)
        if (!upd_.m[i].prepare_sent) return true;
    return false;
}

void Manager::update_prepare(UpdateMember& mb) {
    mb.prepare_sent = true;
    host_->send_lu_prepare(mb.old_srv->endpoint, mb.state, mb.maxtime);
}

void Manager::proc_started() {
    if (!awaiting_start()) return;
    for (int i = 0; i < upd_.n; ++i) {
        UpdateMember& mb = upd_.m[i];
        if (!mb.prepare_sent && host_->started(mb.new_srv->endpoint)) update_prepare(mb);
    }
}

void Manager::lu_ready(endpoint_t src, int result) {
    UpdateMember* mb = nullptr;
    if (upd_.active && !upd_.swapped)
        for (int i = 0; i < upd_.n; ++i)
            if (upd_.m[i].old_srv->endpoint == src && upd_.m[i].prepare_sent && !upd_.m[i].ready)
                mb = &upd_.m[i];
    if (!mb) {
        host_->reply(src, -EINTR, NONE);  // stale: the update is over; the service goes on
        return;
    }
    if (result != OK) {
        host_->reply(src, result, NONE);
        mb->answered = true;
        update_fail(result, mb, lu_reason(result));
        return;
    }
    mb->ready = true;
    for (int i = 0; i < upd_.n; ++i)
        if (!upd_.m[i].ready) return;  // the others are still preparing
    update_swap();
}

// ---- swap and init ----

// VM swaps the images (VM_RS_UPDATE), except while VM itself is a member:
// its old version then waits in its ready SENDREC to RS, and a request from
// RS would land there as the answer. The kernel swaps them directly then
// (as for VM's own update: rs_host.cc).
int Manager::swap_images(const UpdateMember& mb, bool rollback) {
    const endpoint_t src = rollback ? mb.new_srv->endpoint : mb.old_srv->endpoint;
    const endpoint_t dst = rollback ? mb.old_srv->endpoint : mb.new_srv->endpoint;
    if (mb.direct_swap) return host_->update(src, dst, rollback ? SYS_UPD_ROLLBACK : 0);
    return host_->vm_update(src, dst, rollback);
}

void Manager::update_swap() {
    bool with_vm = false;
    for (int i = 0; i < upd_.n; ++i) with_vm |= str::eq(upd_.m[i].old_srv->label, "vm");
    for (int i = 0; i < upd_.n; ++i) upd_.m[i].direct_swap = with_vm;
    for (int i = 0; i < upd_.n; ++i) {
        UpdateMember& mb = upd_.m[i];
        if (mb.swapped) continue;  // an earlier try swapped it
        Service& o = *mb.old_srv;
        Service& n = *mb.new_srv;
        endpoint_t old_ep = o.endpoint, new_ep = n.endpoint;
        int r = swap_images(mb, false);
        if (r == -EBUSY && !mb.swap_refused) {
            // Not at a safe point this instant (a service that said "ready"
            // asynchronously, like the guardian, may not be back in its
            // receive yet): try again at the next tick, once.
            mb.swap_refused = true;
            upd_.swap_retry = true;
            return;
        }
        if (r != OK) {
            host_->reply(old_ep, r, NONE);
            mb.answered = true;
            update_fail(r, &mb, "VM could not swap");
            return;
        }
        // The new image now runs at the old endpoint; the old one waits,
        // frozen in its SENDREC, at the new version's endpoint.
        n.endpoint = old_ep;
        o.endpoint = new_ep;
        mb.swapped = true;
    }
    upd_.swapped = true;
    // All at once: a new version may need another's (new) state only
    // after its own init, which it never asks for (sef_state.h).
    for (int i = 0; i < upd_.n; ++i) {
        UpdateMember& mb = upd_.m[i];
        Service& o = *mb.old_srv;
        Service& n = *mb.new_srv;
        n.flags |= RS_INITIALIZING;
        n.deadline = host_->now() + static_cast<clock_t_>(mb.maxtime);
        int r = host_->allow(n.endpoint);
        // The old image, now at o.endpoint, granted its state area to
        // n.endpoint: the new version's.
        if (r == OK)
            r = host_->send_init(n.endpoint, SEF_INIT_LU, n.restarts, n.endpoint, mb.debug,
                                 o.endpoint, o.state_grant);
        if (r != OK) {
            update_fail(r, &mb, "the new version could not be started");
            return;
        }
    }
}

bool Manager::update_new_version(const Service& s) const {
    for (int i = 0; i < upd_.n; ++i)
        if (upd_.m[i].new_srv == &s) return true;
    return false;
}

bool Manager::update_init_reply(Service& s, int result) {
    if (!upd_.active) return false;
    UpdateMember* mb = nullptr;
    for (int i = 0; i < upd_.n; ++i)
        if (upd_.m[i].new_srv == &s) mb = &upd_.m[i];
    if (!mb) return false;
    if (result == OK) {
        mb->init_ok = true;  // its answer waits for the others
        for (int i = 0; i < upd_.n; ++i)
            if (!upd_.m[i].init_ok) return true;
        update_commit();
        return true;
    }
    // Answer its init SENDREC: SEF then exits, and the image, frozen by the
    // kernel (SIGABRT) and out of its SENDREC, can be swapped back when RS
    // hears of its death (signal -> update_terminated).
    logf("RS: new version of '%s' failed to initialize: %s", s.label, errno_name(result));
    upd_.result = result;
    s.init_error = result;
    host_->reply(s.endpoint, result, NONE);
    return true;
}

void Manager::update_commit() {
    Update u = upd_;
    upd_ = Update{};
    for (int i = 0; i < u.n; ++i) {
        Service& n = *u.m[i].new_srv;
        // The guardian answered its init asynchronously: nobody waits (init_ok).
        if (n.endpoint != guardian_) host_->reply(n.endpoint, OK, NONE);
        n.flags &= ~(RS_INITIALIZING | RS_UPDATING);
        n.flags |= RS_ACTIVE;
        n.alive_tm = n.check_tm = host_->now();
        cleanup(*u.m[i].old_srv, true);
        logf("RS: update of '%s' succeeded", n.label);
    }
    if (u.with_rs && sup_.active) {
        // Last, RS itself: the new RS answers the requester once it owns
        // RS's endpoint (take_over). A failure of that swap comes after
        // the others committed: they stay updated.
        sup_.batch = false;
        sup_.deadline = host_->now() + static_cast<clock_t_>(sup_.maxtime);
        logf("RS: every other service of the update initialized; swapping 'rs'");
        self_try_swap();
        return;
    }
    host_->reply(u.requester, OK, u.m[0].new_srv->endpoint);
}

// ---- failure ----

// The whole batch fails: `culprit` (its label goes to the log) with
// `result`. Swapped members are swapped back, the others cancelled; an old
// version that died meanwhile is left to the caller (terminated()), which
// restarts it like any crash.
void Manager::update_fail(int result, const UpdateMember* culprit, const char* why) {
    // `culprit` points into upd_, which is cleared first: the table may be
    // looked at (find_label) while the members are cleaned up.
    const int who = culprit ? static_cast<int>(culprit - upd_.m) : 0;
    Update u = upd_;
    upd_ = Update{};
    logf("RS: update of '%s' failed: %s (%s)%s", u.m[who].old_srv->label, why, errno_name(result),
         u.n > 1 ? "; every service of the update rolled back" : "");
    for (int i = 0; i < u.n; ++i) {
        UpdateMember& mb = u.m[i];
        Service& o = *mb.old_srv;
        bool old_dead = o.flags & RS_TERMINATED;
        if (mb.swapped) {
            if (!update_rollback(mb)) continue;
        } else {
            if (!old_dead && mb.ready && !mb.answered)
                host_->reply(o.endpoint, -EINTR, NONE);  // SEF goes on serving
            else if (!old_dead && mb.prepare_sent && !mb.answered)
                host_->send_lu_prepare(o.endpoint, SEF_LU_STATE_NULL, 0);  // cancel
            cleanup(*mb.new_srv, false);
        }
        o.flags &= ~RS_UPDATING;
    }
    if (u.with_rs) {
        // The new RS goes too, and RS's own update answers the requester
        // (unless it is what failed: self_abort called us, and answers).
        if (sup_.active) self_abort(result, "another service of the update failed");
        return;
    }
    host_->reply(u.requester, result, u.m[who].old_srv->endpoint);
}

// Swap one member back: the new image is killed (frozen, so that the
// kernel may move it), the old one returns to its endpoint and resumes
// from its ready SENDREC with ERESTART. False when the swap back failed:
// the service is then recovered by restarting it.
bool Manager::update_rollback(UpdateMember& mb) {
    Service& o = *mb.old_srv;
    Service& n = *mb.new_srv;
    endpoint_t old_ep = n.endpoint, new_ep = o.endpoint;
    bool old_dead = o.flags & RS_TERMINATED;
    if (!(n.flags & RS_TERMINATED)) host_->kill(old_ep, SIGKILL);
    int r = swap_images(mb, true);
    if (r != OK) {
        // The old image is stuck at the other endpoint: treat the service
        // as crashed and recover it by restarting (a dead old version is
        // restarted by terminated(), which called us).
        logf("RS: rollback of '%s' failed: %s; restarting it", o.label, errno_name(r));
        n.endpoint = old_ep;
        cleanup(n, false);
        o.flags &= ~RS_UPDATING;
        if (!old_dead) {
            host_->kill(o.endpoint, SIGKILL);
            terminated(o, SIGKILL);
        }
        return false;
    }
    o.endpoint = old_ep;
    n.endpoint = new_ep;
    if (!old_dead) host_->reply(old_ep, -ERESTART, NONE);
    cleanup(n, false);
    return true;
}

bool Manager::update_terminated(Service& s) {
    if (!upd_.active) return false;
    for (int i = 0; i < upd_.n; ++i) {
        UpdateMember& mb = upd_.m[i];
        if (&s == mb.new_srv) {
            if (mb.swapped)
                update_fail(upd_.result, &mb, "the new version did not initialize; rolled back");
            else
                update_fail(-ERESTART, &mb, "the new version died before it ran");
            return true;
        }
        if (&s == mb.old_srv) {
            // Killed while preparing, while waiting in its ready SENDREC, or
            // frozen after the swap: everything goes back, and this one is
            // restarted like any crash (terminated() goes on with it).
            update_fail(-ERESTART, &mb, "the old version died during the update");
            return false;
        }
    }
    return false;
}

void Manager::update_tick(clock_t_ now) {
    if (!upd_.active) return;
    if (upd_.swap_retry) {
        upd_.swap_retry = false;
        update_swap();
        return;
    }
    if (awaiting_start() && now - upd_.start >= static_cast<clock_t_>(LU_START_WAIT))
        for (int i = 0; i < upd_.n; ++i)
            if (!upd_.m[i].prepare_sent) update_prepare(upd_.m[i]);  // no start reported
    for (int i = 0; i < upd_.n; ++i) {
        UpdateMember& mb = upd_.m[i];
        if (!upd_.swapped) {
            if (!mb.ready && now - upd_.start > static_cast<clock_t_>(mb.maxtime)) {
                update_fail(-EINTR, &mb, "maximum prepare time reached");
                return;
            }
        } else if (!mb.init_ok && now > mb.new_srv->deadline) {
            int err = mb.new_srv->init_error != OK ? mb.new_srv->init_error : -EINTR;
            update_fail(err, &mb, "the new version did not initialize in time; rolled back");
            return;
        }
    }
}

// ---- a batch with RS (design: RS first, then the others, RS swaps last) ----

// `upd_run` with RS queued: start the new RS (self_update.cc); the others
// wait in rest_ until it has initialized.
int Manager::update_run_with_rs(int rs_index, endpoint_t requester) {
    rs_start st = queue_.st[rs_index];
    rest_.n = 0;
    for (int i = 0; i < queue_.n; ++i)
        if (i != rs_index) rest_.st[rest_.n++] = queue_.st[i];
    queue_.n = 0;
    // -y of the new RS: fail before the swap, before any member commits.
    if (st.debug == RS_DEBUG_INIT_FAIL) st.debug = RS_DEBUG_INIT_FAIL_EARLY;
    logf("RS: upd_run: updating %d service(s) and 'rs' as one; 'rs' first", rest_.n);
    Request rq{RS_UPDATE, requester, &st, nullptr};
    int r = do_update_self(rq);
    if (r != -EDONTREPLY) {
        rest_.n = 0;
        return r;
    }
    sup_.batch = true;
    return r;
}

// The new RS initialized (at its own endpoint, waiting for the swap).
void Manager::update_rs_ready() {
    const rs_start* list[LU_MAX_MEMBERS];
    const int n = rest_.n;
    for (int i = 0; i < n; ++i) list[i] = &rest_.st[i];
    if (n == 0) {
        sup_.batch = false;
        self_try_swap();
        return;
    }
    int r = update_begin(list, n, sup_.requester);
    rest_.n = 0;
    if (r != -EDONTREPLY) {
        self_abort(r, "another service of the update could not start");
        return;
    }
    upd_.with_rs = true;
}

void Manager::update_shutdown() {
    if (upd_.active && !upd_.swapped) update_fail(-EINTR, nullptr, "the system is shutting down");
    queue_.n = 0;
}

}  // namespace umk::rs
