// The guardian's decisions (guard.h). RS is the one service nobody else
// can restart: the guard is its signal manager, so RS's death reaches it as
// a kernel signal. The guard then
//   1. spawns a new RS (program `rs`) and gives it RS's privileges (what RS
//      told it with GUARD_RS_UP, else those of the boot image's RS), with
//      the guard as its signal manager;
//   2. once it has loaded, swaps it in: sys_update(RS, new, SYS_UPD_RESTART)
//      puts the new image at RS's endpoint - requests queued on RS stay
//      queued for it, those the dead RS had received get ERESTART - and the
//      dead image at the new one's former endpoint, frozen;
//   3. allows it and sends RS_INIT (RESTART) with where the dead image is
//      and its checkpoint grant; the new RS restores its table from there;
//   4. on the answer (GUARD_RS_UP, OK) clears the dead image. An error, a
//      crash or no answer within INIT_T: kill it, swap back (the dead image
//      returns to RS's endpoint with the queued requests) and try again
//      after a backoff, saying why in the log.
// The guard never blocks on RS: it only sends asynchronously to it.
#include "guard.h"

#include "umk/com.h"
#include "umk/err.h"
#include "umk/format.h"
#include "umk/names.h"
#include "umk/priv_flags.h"
#include "umk/sig.h"
#include "umk/slots.h"

namespace umk::guard {

void Guardian::logf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    host_->vlog(fmt, ap);
    va_end(ap);
}

void Guardian::init(GuardHost& host, endpoint_t self) {
    host_ = &host;
    self_ = self;
    phase_ = Phase::WATCHING;
    replica_ = dead_at_ = NONE;
    failures_ = restarts_ = 0;
    state_grant_ = -1;
    have_priv_ = false;
    priv_ = priv_args{};
    last_ping_ = last_alive_ = host.now();
    hang_killed_ = false;
}

void Guardian::rs_alive() {
    last_alive_ = host_->now();
}

// RS's privileges as RS described them, else the boot image's: a system
// process with every kernel call, ipc to everybody and every authority.
priv_args Guardian::rs_priv() const {
    priv_args pa{};
    if (have_priv_) {
        pa = priv_;
    } else {
        pa.flags = SYS_PROC | PREEMPTIBLE | AUTHORITY_FLAGS;
        pa.trap_mask = (1u << SEND) | (1u << RECEIVE) | (1u << SENDREC) | (1u << NOTIFY) |
                       (1u << SENDNB) | (1u << SENDA);
        for (auto& w : pa.ipc_to) w = ~std::uint64_t{0};
        pa.k_call_mask = ~std::uint64_t{0};
    }
    // A fresh record for the new image (the swap gives it RS's slot and id)
    // and the guard as its manager, whatever RS said.
    pa.flags |= DYN_PRIV_ID;
    pa.sig_mgr = self_;
    return pa;
}

void Guardian::signal(endpoint_t target, std::uint64_t set) {
    int term = 0;
    for (int sig = 1; sig < NR_SIGS && !term; ++sig)
        if (sig_has(set, sig) && sig_is_termination(sig)) term = sig;

    if (target == RS_PROC_NR) {
        if (phase_ == Phase::WATCHING) {
            if (!term) {
                host_->endksig(target);  // nothing for RS to do (it never asked)
                return;
            }
            logf("guard: RS (endpoint %d) got %s: starting a new RS", target, sig_name(term));
            failures_ = 0;
            start();
            return;
        }
        if (phase_ == Phase::INITIALIZING) {  // the new RS, swapped in
            if (!term) {
                host_->endksig(target);
                return;
            }
            failed("it got %s during its initialization", sig_name(term));
            return;
        }
        // STARTING / BACKOFF: the dead RS stays frozen for the next swap.
        return;
    }
    if (phase_ == Phase::STARTING && target == replica_) {
        if (!term) {
            host_->endksig(target);
            return;
        }
        failed("it got %s before it was swapped in", sig_name(term));
        return;
    }
    if (target == dead_at_) return;  // the dead RS: frozen until cleared
    if (!term) {
        host_->endksig(target);
        return;
    }
    // Not an RS the guard knows: the new RS of RS's own live update, which
    // the old RS clears. It stays held; RS decides.
    if (phase_ == Phase::WATCHING) {
        host_->forward(target, set);
        return;
    }
    logf("guard: process %d got %s while no RS runs: left held", target, sig_name(term));
}

void Guardian::start() {
    replica_ = NONE;
    dead_at_ = NONE;
    endpoint_t ep = NONE;
    int r = host_->spawn_rs(&ep);
    if (r != OK) {
        phase_ = Phase::STARTING;  // for failed(): nothing spawned
        failed("cannot create it from the program 'rs' (%s)", errno_name(r));
        return;
    }
    r = host_->set_priv(ep, rs_priv());
    if (r != OK) {
        host_->clear(ep);
        phase_ = Phase::STARTING;
        failed("cannot give it RS's privileges (%s)", errno_name(r));
        return;
    }
    replica_ = ep;
    phase_ = Phase::STARTING;
    began_ = host_->now();
    deadline_ = began_ + START_WAIT;
    if (host_->started(ep)) swap();
}

void Guardian::started() {
    if (phase_ == Phase::STARTING && replica_ != NONE && host_->started(replica_)) swap();
}

void Guardian::swap() {
    const endpoint_t ep = replica_;
    int r = host_->update(RS_PROC_NR, ep, SYS_UPD_RESTART);
    if (r == -EBUSY && host_->now() - began_ < static_cast<clock_t_>(INIT_T)) {
        deadline_ = host_->now() + 1;  // not at a safe point yet: next tick
        return;
    }
    if (r != OK) {
        failed("the kernel refused to swap it in (%s)", errno_name(r));
        return;
    }
    // The new image is RS now; the dead one waits frozen at `ep`.
    dead_at_ = ep;
    replica_ = RS_PROC_NR;
    phase_ = Phase::INITIALIZING;
    deadline_ = host_->now() + INIT_T;
    int grant = state_grant_;
    if (failures_ >= TRUST_CHECKPOINT_FAILURES && grant >= 0) {
        logf("guard: attempt %d without the dead RS's checkpoint (it may be what fails)",
             failures_ + 1);
        grant = -1;
    }
    r = host_->allow(RS_PROC_NR);
    if (r == OK) r = host_->send_init(dead_at_, grant, restarts_ + 1);
    if (r != OK) failed("cannot start it (%s)", errno_name(r));
}

void Guardian::rs_up(int result, int state_grant, const priv_args* priv) {
    if (phase_ == Phase::INITIALIZING) {
        if (result != OK) {
            // Its own grant and privileges are not the dead one's: keep those.
            failed("its initialization failed (%s)", errno_name(result));
            return;
        }
        host_->clear(dead_at_);
        ++restarts_;
        logf(
            "guard: the new RS serves at endpoint %d (restart %d, attempt %d); the dead RS "
            "(then at %d) is cleared",
            RS_PROC_NR, restarts_, failures_ + 1, dead_at_);
        phase_ = Phase::WATCHING;
        replica_ = dead_at_ = NONE;
        failures_ = 0;
        last_alive_ = last_ping_ = host_->now();
        hang_killed_ = false;
    } else if (phase_ != Phase::WATCHING || result != OK) {
        return;  // a late answer of an attempt already given up
    }
    state_grant_ = state_grant;
    if (priv) {
        priv_ = *priv;
        have_priv_ = true;
    }
}

void Guardian::failed(const char* fmt, ...) {
    char why[160];
    va_list ap;
    va_start(ap, fmt);
    vformat(why, sizeof why, fmt, ap);
    va_end(ap);

    if (phase_ == Phase::INITIALIZING) {
        // Freeze the failed RS (held by its signal: updatable), then give the
        // dead image its endpoint back with the requests queued there.
        host_->kill(RS_PROC_NR, SIGKILL);
        int r = host_->update(dead_at_, RS_PROC_NR, SYS_UPD_ROLLBACK);
        if (r == OK) {
            host_->clear(dead_at_);  // the failed one, now there
        } else {
            // The failed RS keeps the endpoint and is the dead RS of the next
            // attempt; the first one's checkpoint is given up with it.
            logf("guard: cannot swap the dead RS back (%s): the failed one takes its place",
                 errno_name(r));
            host_->clear(dead_at_);
            state_grant_ = -1;
        }
    } else if (phase_ == Phase::STARTING && replica_ != NONE) {
        host_->clear(replica_);
    }
    replica_ = dead_at_ = NONE;
    ++failures_;
    const int wait = backoff_ticks(failures_);
    logf("guard: the new RS failed: %s; attempt %d in %d ms", why, failures_ + 1, wait * 1000 / HZ);
    phase_ = Phase::BACKOFF;
    deadline_ = host_->now() + static_cast<clock_t_>(wait);
}

void Guardian::tick() {
    const clock_t_ now = host_->now();
    switch (phase_) {
        case Phase::WATCHING:
            if (now - last_alive_ >= static_cast<clock_t_>(HANG_T) && !hang_killed_) {
                // Its termination signal comes back to us and starts the recovery.
                logf("guard: RS has not answered for %d s (hung): killing it", HANG_T / HZ);
                hang_killed_ = true;
                host_->kill(RS_PROC_NR, SIGKILL);
                return;
            }
            if (now - last_ping_ >= static_cast<clock_t_>(PING_T)) {
                last_ping_ = now;
                host_->ping();
            }
            return;
        case Phase::STARTING:
            if (now >= deadline_ || host_->started(replica_)) swap();
            return;
        case Phase::INITIALIZING:
            if (now >= deadline_) failed("no answer to its RS_INIT within %d s", INIT_T / HZ);
            return;
        case Phase::BACKOFF:
            if (now >= deadline_) start();
            return;
    }
}

}  // namespace umk::guard
