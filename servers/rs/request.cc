// RS's requests (MINIX servers/rs/request.c): one handler per request a
// client sends (up, run, down, refresh, restart, shutdown, lookup) and the
// listing behind RS_LIST. Who may ask is checked first (check_caller,
// scripts.cc); the update request is handled with the rest of live update
// (update.cc, and self_update.cc for RS itself).
#include "manager.h"
#include "umk/err.h"
#include "umk/sig.h"
#include "umk/str.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"

namespace umk::rs {

int Manager::request(const Request& rq, endpoint_t* ep_out) {
    *ep_out = NONE;
    int r = check_caller(rq);
    if (r != OK) return r;
    r = dispatch(rq, ep_out);
    if (Script* sc = script_of(rq.caller); sc && (r == OK || r == -EDONTREPLY)) sc->acted = true;
    return r;
}

int Manager::dispatch(const Request& rq, endpoint_t* ep_out) {
    switch (rq.type) {
        case RS_UP:
            return rq.start ? do_up(rq, false) : -EINVAL;
        case RS_RUN:
            return rq.start ? do_up(rq, true) : -EINVAL;
        case RS_DOWN:
            return do_down(rq);
        case RS_REFRESH:
            return do_refresh(rq);
        case RS_RESTART:
            return do_restart(rq);
        case RS_UPDATE:
            return rq.start ? do_update(rq) : -EINVAL;
        case RS_SHUTDOWN:
            return do_shutdown();
        case RS_SYSCTL:
            return do_sysctl(rq);
        case RS_FI:
            return do_fi(rq);
        case RS_LOOKUP: {
            if (!rq.label || !rq.label[0]) return -EINVAL;
            if (str::eq(rq.label, "rs")) {
                *ep_out = self_;
                return OK;
            }
            const Service* s = find_active(rq.label);
            if (!s) return -ESRCH;
            *ep_out = s->endpoint;
            return OK;
        }
        default:
            return -EINVAL;
    }
}

int Manager::do_up(const Request& rq, bool no_restart) {
    const rs_start& st = *rq.start;
    if (!st.program[0]) return -EINVAL;
    const char* label = st.label[0] ? st.label : str::base_name(st.program);
    if (str::len(label) >= static_cast<std::size_t>(PROC_NAME_LEN)) return -E2BIG;
    if (st.args_len > sizeof st.args) return -E2BIG;
    if (str::eq(label, "rs") || find_label(label, false)) return -EBUSY;
    for (const Service& o : table_)  // a crashed instance waiting for its restart (or script)
        if ((o.flags & RS_IN_USE) && (o.restart_pending || (o.flags & RS_SCRIPT_RUNNING)) &&
            str::eq(o.label, label))
            return -EBUSY;
    Service* s = alloc();
    if (!s) return -ENOMEM;
    str::copy(s->label, label, sizeof s->label);
    str::copy(s->program, st.program, sizeof s->program);
    str::mem_copy(s->args, st.args, st.args_len);
    s->args_len = st.args_len;
    str::copy(s->script, st.script, sizeof s->script);
    if (int r = granted_conf(label, st.program, st, &s->conf); r != OK) {
        release(*s);
        return r;
    }
    if (st.period >= 0)
        s->period = st.period;
    else
        s->period = (s->conf.set & conf::SET_PERIOD) ? s->conf.period : 0;
    if (no_restart || (st.flags & RSS_NO_RESTART)) s->flags |= RS_NO_RESTART;
    // -policy restart|reset overrides the entry's; kept in the record's
    // entry, so that replicas and new versions inherit it.
    if (st.policy == conf::POLICY_RESET || st.policy == conf::POLICY_RESTART) {
        s->conf.policy = st.policy;
        s->conf.set |= conf::SET_POLICY;
    } else if (st.policy != conf::POLICY_DEFAULT) {
        release(*s);
        return -EINVAL;
    }
    int r = start(*s, SEF_INIT_FRESH, NONE, true);
    if (r != OK) {
        logf("RS: cannot start '%s' from '%s': %s", label, st.program, errno_name(r));
        release(*s);
        return r;
    }
    s->flags |= RS_LATEREPLY;
    s->caller = rq.caller;
    return -EDONTREPLY;
}

int Manager::do_down(const Request& rq) {
    if (!rq.label || !rq.label[0]) return -EINVAL;
    if (str::eq(rq.label, "rs")) return -EPERM;
    Service* s = find_label(rq.label, false);
    if (!s) {
        // A dead instance waiting for its restart (or its script): just forget it.
        for (Service& o : table_) {
            if ((o.flags & RS_IN_USE) && (o.restart_pending || (o.flags & RS_SCRIPT_RUNNING)) &&
                str::eq(o.label, rq.label)) {
                unpublish(o);
                cleanup(o, false);
                return OK;
            }
        }
        return -ESRCH;
    }
    if (s->flags & RS_CORE) return -EPERM;
    if ((s->flags & (RS_EXITING | RS_INITIALIZING | RS_UPDATING)) || s->caller != NONE)
        return -EBUSY;
    s->flags |= RS_EXITING | RS_LATEREPLY;
    s->caller = rq.caller;
    s->stop_tm = host_->now();
    host_->kill(s->endpoint, SIGTERM);
    return -EDONTREPLY;
}

int Manager::do_refresh(const Request& rq) {
    if (!rq.label || !rq.label[0]) return -EINVAL;
    if (str::eq(rq.label, "rs")) return -EPERM;
    if (Service* dead = awaiting_script(rq.label)) {
        // The failed instance whose script runs (usually the script asking):
        // start its replica now; the answer does not wait for its init.
        dead->flags &= ~RS_SCRIPT_RUNNING;
        restart_now(*dead);
        return OK;
    }
    Service* s = find_label(rq.label, false);
    if (!s) return -ESRCH;
    if (s->flags & (RS_EXITING | RS_REFRESHING | RS_INITIALIZING | RS_UPDATING)) return -EBUSY;
    s->flags |= RS_REFRESHING;
    s->stop_tm = host_->now();
    host_->kill(s->endpoint, SIGTERM);
    return OK;
}

// umk: restart works on a live service too (kill it and start a replica);
// the answer comes when the replica has initialized.
int Manager::do_restart(const Request& rq) {
    if (!rq.label || !rq.label[0]) return -EINVAL;
    if (str::eq(rq.label, "rs")) return -EPERM;
    for (Service& o : table_) {
        if ((o.flags & RS_IN_USE) && (o.restart_pending || (o.flags & RS_SCRIPT_RUNNING)) &&
            str::eq(o.label, rq.label)) {
            o.flags &= ~RS_SCRIPT_RUNNING;
            o.flags |= RS_LATEREPLY;
            o.caller = rq.caller;
            restart_now(o);
            return -EDONTREPLY;
        }
    }
    Service* s = find_label(rq.label, false);
    if (!s) return -ESRCH;
    if (s->flags & (RS_EXITING | RS_REFRESHING | RS_INITIALIZING | RS_UPDATING)) return -EBUSY;
    if (s->caller != NONE) return -EBUSY;
    s->flags |= RS_REFRESHING | RS_LATEREPLY;
    s->caller = rq.caller;
    host_->kill(s->endpoint, SIGKILL);
    terminated(*s, SIGKILL);
    return -EDONTREPLY;
}

int Manager::do_shutdown() {
    shutting_down_ = true;
    update_shutdown();
    if (sup_.active) self_abort(-EINTR, "the system is shutting down");
    for (Script& sc : scripts_) {  // reaped at the next ticks, if RS still runs
        if (sc.active && !sc.killed) host_->kill(sc.endpoint, SIGKILL);
        sc.killed = true;
    }
    for (Service& s : table_) {
        if (!(s.flags & RS_IN_USE)) continue;
        if (s.flags & RS_TERMINATED) {
            if (s.restart_pending || (s.flags & RS_SCRIPT_RUNNING)) cleanup(s, false);
            continue;
        }
        s.flags |= RS_EXITING | RS_NO_RESTART;
        s.stop_tm = host_->now();
        host_->kill(s.endpoint, SIGTERM);
    }
    return OK;
}

// `service fi L` (MINIX 3.4): tell the service to crash itself. Its SEF
// does it (sef::crash, a real fault), so RS then sees an ordinary crash and
// recovers it by its policy. A service that does not receive through SEF
// never sees the message and goes on. `fi rs`: RS crashes itself once it has
// answered (main.cc), for its guardian to recover.
int Manager::do_fi(const Request& rq) {
    if (!rq.label || !rq.label[0]) return -EINVAL;
    if (str::eq(rq.label, "rs")) {
        logf("RS: fault injection in 'rs' requested by %d: crashing after the answer", rq.caller);
        crash_self_ = true;
        return OK;
    }
    Service* s = find_label(rq.label, false);
    if (!s) return -ESRCH;
    if (!(s->flags & RS_ACTIVE) || (s->flags & (RS_EXITING | RS_UPDATING | RS_INITIALIZING)))
        return -EBUSY;
    int r = host_->send_fi(s->endpoint);
    if (r != OK) {
        logf("RS: cannot send RS_FI to '%s': %s", s->label, errno_name(r));
        return r;
    }
    logf("RS: fault injection in '%s' (endpoint %d) requested by %d", s->label, s->endpoint,
         rq.caller);
    return OK;
}

int Manager::list(rs_list_entry* out, int max) const {
    int n = 0;
    // RS is not in its own table: its row from what it knows of itself.
    if (n < max) {
        rs_list_entry& e = out[n++];
        e = rs_list_entry{};
        str::copy(e.label, "rs", sizeof e.label);
        e.endpoint = self_;
        e.flags = RS_IN_USE | RS_ACTIVE | RS_CORE | RS_BOOT | (sup_.active ? RS_UPDATING : 0);
        e.policy = conf::POLICY_RESTART;
        e.restarts = self_restarts_;
        str::copy(e.program, "rs", sizeof e.program);
    }
    for (const Service& s : table_) {
        if (!(s.flags & RS_IN_USE)) continue;
        if (n == max) break;
        rs_list_entry& e = out[n++];
        e = rs_list_entry{};
        str::copy(e.label, s.label, sizeof e.label);
        e.endpoint = s.endpoint;
        e.restarts = s.restarts;
        e.flags = s.flags;
        e.period = s.period;
        e.policy = policy_of(s);
        str::copy(e.program, s.program, sizeof e.program);
    }
    return n;
}

}  // namespace umk::rs
