// Death and recovery of services (MINIX servers/rs/manager.c
// terminate_service and restart_service, and RS's timer): the kernel's
// signals for the processes RS manages, what follows a death (clean up,
// start a replica beside the frozen dead instance, back off after repeated
// crashes, or leave the decision to a recovery script, scripts.cc), and
// RS's clock, which sends heartbeats and times out inits, stops and live
// updates.
#include "manager.h"
#include "umk/err.h"
#include "umk/sig.h"
#include "umk/str.h"
#include "umklib/sef.h"

namespace umk::rs {

int Manager::signal(endpoint_t target, int sig) {
    if (sup_.active && target == sup_.new_ep) {  // the new instance of RS itself
        if (!sig_is_termination(sig)) return OK;
        logf("RS: the new instance of 'rs' (endpoint %d) got %s", target, sig_name(sig));
        self_abort(-ERESTART, "the new instance died during its initialization");
        return -EDEADSRCDST;
    }
    Service* s = find_ep(target);
    if (!s) {
        // Not ours (e.g. an instance RS already cleaned up): let it be.
        return sig_is_termination(sig) ? -EDEADSRCDST : OK;
    }
    if (s->flags & RS_TERMINATED) return -EDEADSRCDST;
    if (sig_is_termination(sig)) {
        logf("RS: service '%s' (endpoint %d) got %s", s->label, target, sig_name(sig));
        terminated(*s, sig);
        return -EDEADSRCDST;  // keep it frozen: no ENDKSIG
    }
    if (sig_is_kernel(sig)) return OK;
    // Other signals become a message the service's SEF hands to its handler.
    host_->send_signal(target, sig);
    return OK;
}

void Manager::terminated(Service& s, int sig) {
    (void)sig;
    s.flags |= RS_TERMINATED;
    s.flags &= ~RS_ACTIVE;
    if (upd_.active) {
        if (&s == upd_.new_srv) {
            if (upd_.swapped)
                update_rollback(upd_.result);
            else
                update_end(-ERESTART);  // killed before it ever ran
            return;
        }
        if (&s == upd_.old_srv) {
            if (upd_.swapped) return;  // the frozen old image: cleaned by the update
            logf("RS: update of '%s' failed: the old version died", s.label);
            update_end(-ERESTART);
        }
    }
    s.flags &= ~RS_UPDATING;
    // DS is gone: RS must not call it until a replica has initialized (a
    // SENDREC to the dead DS never returns, and the replica is allowed to run
    // only after RS publishes its label, which would be that SENDREC).
    // init_ok republishes every label then, as at boot.
    if (str::eq(s.label, "ds")) ds_ready_ = false;
    if (s.prev) {  // a replica died before it was up: the older corpse goes now
        Service* dead = s.prev;
        s.prev = nullptr;
        cleanup(*dead, false);
    }
    bool was_initializing = s.flags & RS_INITIALIZING;
    s.flags &= ~RS_INITIALIZING;
    if (was_initializing && !(s.flags & RS_REPLICA)) {
        logf("RS: service '%s' exited during initialization", s.label);
        late_reply(s, s.init_error != OK ? s.init_error : -EDEADSRCDST);
        unpublish(s);
        cleanup(s, false);
        return;
    }
    if ((s.flags & (RS_EXITING | RS_NO_RESTART)) || shutting_down_) {
        late_reply(s, OK);
        unpublish(s);
        cleanup(s, false);
        return;
    }
    if (s.flags & RS_REFRESHING) {
        restart_now(s);
        return;
    }
    // MINIX: a service with a recovery script is not restarted by RS; the
    // script decides (it may refresh, restart or take down the service).
    if (s.script[0] && run_script(s)) return;
    schedule_restart(s);
}

// Restart now, or after the backoff of a service that crashed before.
void Manager::schedule_restart(Service& s) {
    int periods = backoff_periods(s.restarts);
    if (periods == 0) {
        restart_now(s);
        return;
    }
    s.restart_pending = true;
    s.restart_tm = host_->now() + static_cast<clock_t_>(periods) * RS_DELTA_T;
    logf("RS: restarting '%s' in %d ticks (backoff)", s.label, periods * RS_DELTA_T);
}

// Start a replica beside the dead instance `dead`, which stays frozen until
// the replica's init has succeeded.
void Manager::restart_now(Service& dead) {
    dead.restart_pending = false;
    Service* r = alloc();
    int err = -ENOMEM;
    if (r) {
        str::copy(r->label, dead.label, sizeof r->label);
        str::copy(r->program, dead.program, sizeof r->program);
        str::mem_copy(r->args, dead.args, sizeof r->args);
        r->args_len = dead.args_len;
        str::copy(r->script, dead.script, sizeof r->script);
        r->conf = dead.conf;
        r->period = dead.period;
        r->restarts = dead.restarts + 1;
        r->flags |= RS_REPLICA | (dead.flags & (RS_BOOT | RS_CORE));
        r->published = dead.published;
        r->prev = &dead;
        if (dead.flags & RS_LATEREPLY) {  // a RESTART request waits for the replica
            r->flags |= RS_LATEREPLY;
            r->caller = dead.caller;
            dead.flags &= ~RS_LATEREPLY;
            dead.caller = NONE;
        }
        err = start(*r, SEF_INIT_RESTART, dead.endpoint, true);
        if (err == OK) return;
        late_reply(*r, err);
        release(*r);
    }
    logf("RS: cannot restart '%s': %s", dead.label, errno_name(err));
    dead.restarts++;
    dead.restart_pending = true;
    dead.restart_tm =
        host_->now() + static_cast<clock_t_>(backoff_periods(dead.restarts)) * RS_DELTA_T;
}

void Manager::notified(endpoint_t src) {
    if (Service* s = find_ep(src)) s->alive_tm = host_->now();
}

void Manager::tick() {
    clock_t_ now = host_->now();
    self_tick(now);
    script_tick(now);
    if (awaiting_start() && now - upd_.start >= static_cast<clock_t_>(LU_START_WAIT))
        update_prepare();  // no start reported: ask anyway
    if (upd_.active && !upd_.swapped && now - upd_.start > static_cast<clock_t_>(upd_.maxtime)) {
        logf("RS: update of '%s' failed: maximum prepare time reached", upd_.old_srv->label);
        if (upd_.prepare_sent)
            host_->send_lu_prepare(upd_.old_srv->endpoint, SEF_LU_STATE_NULL, 0);  // cancel
        update_end(-EINTR);
    }
    for (Service& s : table_) {
        if (!(s.flags & RS_IN_USE)) continue;
        if (s.flags & RS_TERMINATED) {
            if (s.restart_pending && now >= s.restart_tm) restart_now(s);
            continue;  // RS_SCRIPT_RUNNING: script_tick decides
        }
        if ((s.flags & RS_INITIALIZING) && now > s.deadline) {
            if (upd_.active && &s == upd_.new_srv) {
                logf("RS: update of '%s' failed: the new version did not initialize in time",
                     s.label);
                update_rollback(s.init_error != OK ? s.init_error : -EINTR);
            } else {
                logf("RS: service '%s' did not initialize in time", s.label);
                s.init_error = -EINTR;
                host_->kill(s.endpoint, SIGKILL);
                terminated(s, SIGKILL);
            }
            continue;
        }
        if ((s.flags & (RS_EXITING | RS_REFRESHING)) &&
            now - s.stop_tm > static_cast<clock_t_>(RS_DOWN_T)) {
            logf("RS: service '%s' ignored SIGTERM: killing it", s.label);
            host_->kill(s.endpoint, SIGKILL);
            terminated(s, SIGKILL);
            continue;
        }
        if (!(s.flags & RS_ACTIVE) || s.period <= 0 || (s.flags & (RS_UPDATING | RS_EXITING)))
            continue;
        clock_t_ period = static_cast<clock_t_>(s.period);
        if (s.alive_tm < s.check_tm) {  // a ping is outstanding
            if (now - s.check_tm > period && !(s.flags & RS_NOPINGREPLY)) {
                logf("RS: service '%s' missed its heartbeat: killing it", s.label);
                s.flags |= RS_NOPINGREPLY;
                host_->kill(s.endpoint, SIGKILL);
                terminated(s, SIGKILL);
            }
        } else if (now - s.check_tm >= period) {
            host_->ping(s.endpoint);
            s.check_tm = now;
        }
    }
}

}  // namespace umk::rs
