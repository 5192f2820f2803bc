// Death and recovery of services (MINIX servers/rs/manager.c
// terminate_service and restart_service, and RS's timer): the kernel's
// signals for the processes RS manages, what follows a death (clean up,
// start a replica beside the frozen dead instance, back off after repeated
// crashes, or leave the decision to a recovery script, scripts.cc), and
// RS's clock, which sends heartbeats and times out inits, stops and live
// updates.
#include "manager.h"

#include <initializer_list>

#include "umk/err.h"
#include "umk/sig.h"
#include "umk/slots.h"
#include "umk/str.h"
#include "umklib/sef.h"

namespace umk::rs {
namespace {

// The boot image's well-known slots (umk/slots.h): their clients reach them
// by these numbers, so a replica must take over the same endpoint.
bool is_fixed_slot(endpoint_t ep) {
    for (endpoint_t f :
         {PM_PROC_NR, DEVMAN_PROC_NR, RS_PROC_NR, TTY_PROC_NR, DS_PROC_NR, VM_PROC_NR})
        if (ep == f) return true;
    return false;
}

}  // namespace

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
    if (update_terminated(s)) return;  // a new version of a live update: rolled back
    s.flags &= ~RS_UPDATING;
    if (str::eq(s.label, "ds") && ds_ready_) {
        // Until DS's replica is up, RS must not call DS (it would wait for
        // ever on the frozen one, or on a replica waiting for its RS_INIT):
        // labels are published again when DS is back (init_ok).
        ds_ready_ = false;
    }
    Service* subject = &s;
    if (s.prev) {
        Service* dead = s.prev;
        s.prev = nullptr;
        if (s.took_over && give_back(s, *dead)) {
            // Restart policy: the replica failed at the dead instance's
            // endpoint; the dead image is back there, with the queued
            // callers and its state grant, and the next replica takes over
            // from it again (after the backoff). The replica goes.
            logf(
                "RS: replica of '%s' failed (%s): swapped back, the dead instance keeps endpoint "
                "%d",
                s.label, s.init_error != OK ? errno_name(s.init_error) : sig_name(sig),
                dead->endpoint);
            dead->restarts = s.restarts;
            dead->init_error = s.init_error;
            // The record now stands for the failed replica (as under reset,
            // where the replica's own record does): its flags, not those of
            // the first death.
            dead->flags = (dead->flags & (RS_IN_USE | RS_BOOT | RS_CORE)) | RS_TERMINATED |
                          (s.flags & (RS_EXITING | RS_NO_RESTART | RS_INITIALIZING | RS_REPLICA |
                                      RS_LATEREPLY | RS_NOPINGREPLY));
            dead->caller = s.caller;
            dead->published = s.published;
            s.flags &= ~RS_LATEREPLY;
            s.caller = NONE;
            cleanup(s, false);
            subject = dead;
        } else {
            cleanup(*dead, false);  // a replica died before it was up: the older corpse goes now
        }
    }
    Service& t = *subject;
    bool was_initializing = t.flags & RS_INITIALIZING;
    t.flags &= ~RS_INITIALIZING;
    if (was_initializing && !(t.flags & RS_REPLICA)) {
        logf("RS: service '%s' exited during initialization", t.label);
        late_reply(t, t.init_error != OK ? t.init_error : -EDEADSRCDST);
        unpublish(t);
        cleanup(t, false);
        return;
    }
    if ((t.flags & (RS_EXITING | RS_NO_RESTART)) || shutting_down_) {
        late_reply(t, OK);
        unpublish(t);
        cleanup(t, false);
        return;
    }
    if (was_initializing && (t.flags & RS_LATEREPLY)) {
        // `service restart L` waits for this replica: answer with why it
        // failed rather than leave the requester hanging through every
        // backoff; RS goes on trying.
        logf("RS: restart of '%s' failed: its replica did not initialize (%s); retrying", t.label,
             errno_name(t.init_error != OK ? t.init_error : -EDEADSRCDST));
        late_reply(t, t.init_error != OK ? t.init_error : -EDEADSRCDST);
    }
    if (t.flags & RS_REFRESHING) {
        restart_now(t);
        return;
    }
    // MINIX: a service with a recovery script is not restarted by RS; the
    // script decides (it may refresh, restart or take down the service).
    if (t.script[0] && run_script(t)) return;
    schedule_restart(t);
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

std::uint32_t Manager::policy_of(const Service& s) const {
    return is_fixed_slot(s.endpoint) || s.conf.policy == conf::POLICY_RESTART ? conf::POLICY_RESTART
                                                                              : conf::POLICY_RESET;
}

// Start a replica for the dead instance `dead`, which stays frozen until
// the replica's init has succeeded: beside it (policy reset: a new
// endpoint), or in its place (policy restart: take_over_endpoint).
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
        if (policy_of(dead) == conf::POLICY_RESTART) {
            if (dead.conf.policy != conf::POLICY_RESTART)
                logf(
                    "RS: '%s' is at a fixed slot (endpoint %d): restarting it in place (policy "
                    "restart), whatever its policy says",
                    dead.label, dead.endpoint);
            err = take_over_endpoint(*r, dead);
        } else {
            err = start(*r, SEF_INIT_RESTART, dead.endpoint, true);
        }
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

// Policy restart (MINIX 3.4): spawn the replica and give it its privileges,
// then let the kernel put its image at the dead instance's endpoint
// (SYS_UPD_RESTART: requests queued there wait for the replica, callers the
// dead image owed an answer get ERESTART); the dead image goes to the
// replica's former endpoint, frozen. Then allow the replica and send it
// RS_INIT RESTART with where the dead image is and its state grant. RS
// calls the kernel itself: VM may be the service being restarted.
int Manager::take_over_endpoint(Service& r, Service& dead) {
    endpoint_t spare = NONE;
    int err = host_->spawn(r.program, r.args, r.args_len, &spare);
    if (err != OK) return err;
    priv_args pa;
    err = build_priv(r, &pa);
    if (err == OK) err = host_->set_priv(spare, pa);
    const endpoint_t ep = dead.endpoint;
    if (err == OK) {
        err = host_->update(ep, spare, SYS_UPD_RESTART);
        if (err != OK)
            logf("RS: the replica of '%s' cannot take over endpoint %d: %s", r.label, ep,
                 errno_name(err));
    }
    if (err != OK) {
        host_->clear(spare);
        return err;
    }
    r.endpoint = ep;
    dead.endpoint = spare;
    r.took_over = true;
    if (!r.published) publish(r);  // else the label names ep already
    err = host_->allow(ep);
    if (err == OK)
        err = host_->send_init(ep, SEF_INIT_RESTART, r.restarts, ep, RS_DEBUG_NONE, spare,
                               dead.state_grant);
    if (err != OK) {
        host_->kill(ep, SIGKILL);  // freeze it, so that it can be swapped back
        r.prev = nullptr;
        if (!give_back(r, dead)) {
            // The replica is stuck at the endpoint: it is the dead instance
            // now (killed, frozen there); the older image goes.
            host_->clear(spare);
            dead.endpoint = ep;
            dead.state_grant = -1;
            r.endpoint = NONE;
            r.took_over = false;
            return err;
        }
        host_->clear(r.endpoint);
        r.endpoint = NONE;
        return err;
    }
    r.flags |= RS_INITIALIZING;
    r.deadline = host_->now() + RS_INIT_T;
    r.init_error = OK;
    return OK;
}

// Undo take_over_endpoint for a replica that failed (killed, so frozen):
// the dead image back at the service's endpoint, the replica's image at its
// former one. False (logged) if the kernel refuses; nothing changed then.
bool Manager::give_back(Service& replica, Service& dead) {
    const endpoint_t ep = replica.endpoint, spare = dead.endpoint;
    int r = host_->update(ep, spare, SYS_UPD_ROLLBACK);
    replica.took_over = false;
    if (r != OK) {
        logf(
            "RS: cannot swap the dead instance of '%s' back to endpoint %d (%s): the failed "
            "replica stays there; the older image and its state are gone",
            replica.label, ep, errno_name(r));
        return false;
    }
    dead.endpoint = ep;
    replica.endpoint = spare;
    return true;
}

void Manager::notified(endpoint_t src) {
    if (Service* s = find_ep(src)) s->alive_tm = host_->now();
}

void Manager::tick() {
    clock_t_ now = host_->now();
    self_tick(now);
    script_tick(now);
    update_tick(now);  // live update: start wait, prepare and init timeouts
    republish_pending();
    for (Service& s : table_) {
        if (!(s.flags & RS_IN_USE)) continue;
        if (s.flags & RS_TERMINATED) {
            if (s.restart_pending && now >= s.restart_tm) restart_now(s);
            continue;  // RS_SCRIPT_RUNNING: script_tick decides
        }
        if (update_new_version(s)) continue;  // update_tick times it out
        if ((s.flags & RS_INITIALIZING) && now > s.deadline) {
            logf("RS: service '%s' did not initialize in time", s.label);
            s.init_error = -EINTR;
            host_->kill(s.endpoint, SIGKILL);
            terminated(s, SIGKILL);
            continue;
        }
        if ((s.flags & (RS_EXITING | RS_REFRESHING)) &&
            now - s.stop_tm > static_cast<clock_t_>(RS_DOWN_T)) {
            logf("RS: service '%s' ignored SIGTERM: killing it", s.label);
            host_->kill(s.endpoint, SIGKILL);
            terminated(s, SIGKILL);
            continue;
        }
        if ((s.flags & RS_ACTIVE) && s.restarts > 0) {
            // The restart count decays: RS_BACKOFF_RESET up without a crash
            // and the next crash counts as a first one (restarted at once).
            // An instance made active elsewhere (a live update's new version)
            // starts its clock at its first tick.
            if (s.up_tm == 0) {
                s.up_tm = now;
            } else if (now - s.up_tm >= static_cast<clock_t_>(RS_BACKOFF_RESET)) {
                logf("RS: service '%s' up %d s without a crash: restart count %d reset to 0",
                     s.label, RS_BACKOFF_RESET / HZ, s.restarts);
                s.restarts = 0;
            }
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
