// RS after a death of RS (its guardian, servers/guard, started this
// instance at RS's endpoint): the table comes back from the dead RS's last
// checkpoint (sef_state: main.cc checkpoints after every change), or, if
// that is lost, is rebuilt from the kernel's process table and system.conf.
// Either way it is then reconciled with what happened while no RS ran:
//  - a request RS was answering later (RS_LATEREPLY) was failed by the
//    kernel with ERESTART when the guard swapped this instance in: its
//    caller is not waiting any more, so it is never answered;
//  - a live update in flight is given up: before the swap the new version
//    is dropped and the old one told to stop preparing; after it RS swaps
//    back (the old version already got ERESTART for its "ready");
//  - a service whose process is gone, or is held by a signal the dead RS
//    had collected but never finished with, died unseen: it is restarted;
//  - a dead instance waiting for a recovery script (scripts are not in the
//    checkpoint) is restarted by RS itself;
//  - a process RS is the signal manager of but has no record of is logged
//    (a new RS instance of an update of RS in flight is cleared).
// Kernel signals that arrived meanwhile stay pending on RS's endpoint and
// are handled next, as usual.
#include "manager.h"
#include "umk/err.h"
#include "umk/priv_flags.h"
#include "umk/proc_flags.h"
#include "umk/sig.h"
#include "umk/str.h"
#include "umklib/sef.h"

namespace umk::rs {
namespace {

constexpr const char* kCore[] = {"rs", "pm", "vm", "ds"};  // as table.cc's kCoreLabels

bool core_label(const char* label) {
    for (const char* c : kCore)
        if (str::eq(c, label)) return true;
    return false;
}

const proc_info* find_proc(const proc_info* tab, int n, endpoint_t ep) {
    for (int i = 0; i < n; ++i)
        if (tab[i].slot >= 0 && !(tab[i].rts_flags & RTS_SLOT_FREE) && tab[i].endpoint == ep)
            return &tab[i];
    return nullptr;
}

// Held by a signal its manager collected (SYS_GETKSIG) and never finished
// (SYS_ENDKSIG): the dead RS's, for good. Signals not yet collected
// (RTS_SIGNALED) are still to come.
bool held_for_good(const proc_info& p) {
    return (p.rts_flags & RTS_SIG_PENDING) && !(p.rts_flags & RTS_SIGNALED);
}

// A process RS manages: a system process with a privilege record RS gave it
// (dynamic id: boot privileges use static ids) and RS as signal manager.
bool managed_by(const proc_info& p, endpoint_t rs) {
    return p.slot >= 0 && !(p.rts_flags & RTS_SLOT_FREE) && p.endpoint != rs && p.sig_mgr == rs &&
           p.priv_id != USER_PRIV_ID && (p.priv_flags & DYN_PRIV_ID) && (p.priv_flags & SYS_PROC);
}

}  // namespace

void Manager::checkpoint(State* out) const {
    save_state(out, NONE, NONE);
    for (StateRecord& rec : out->records) {
        rec.svc.flags &= ~RS_SCRIPT_RUNNING;
        // Heartbeat times restart from the restore (reconcile): leaving them
        // out spares a checkpoint (a copy and a CRC of the whole table) per
        // heartbeat answer.
        rec.svc.check_tm = rec.svc.alive_tm = 0;
    }
}

int Manager::rs_privileges(priv_args* out) {
    static Service proto;  // too big for a small service stack
    proto = Service{};
    static const rs_start none{};
    int r = granted_conf("rs", "rs", none, &proto.conf);
    if (r == OK) r = build_priv(proto, out);
    return r;
}

int Manager::restore(const State& saved, const proc_info* tab, int n) {
    int r = load_state(saved);
    if (r != OK) return r;
    reconcile(tab, n);
    return OK;
}

void Manager::rebuild(const proc_info* tab, int n) {
    for (Service& s : table_) s = Service{};
    upd_ = Update{};
    sup_ = SelfUpdate{};
    shutting_down_ = false;
    ds_ready_ = false;
    const clock_t_ now = host_->now();
    for (int i = 0; i < n; ++i) {
        const proc_info& p = tab[i];
        if (!managed_by(p, self_)) continue;
        char label[PROC_NAME_LEN];
        str::copy(label, p.name, sizeof label);
        if (!label[0] || find_label(label, false)) {
            logf("RS: rebuilding: process %d ('%s') has no name of its own; not adopted",
                 p.endpoint, label);
            continue;
        }
        Service* s = alloc();
        if (!s) {
            logf("RS: rebuilding: no room for '%s' (endpoint %d)", label, p.endpoint);
            continue;
        }
        str::copy(s->label, label, sizeof s->label);
        str::copy(s->program, label, sizeof s->program);
        if (const conf::ServiceConf* c = policy_for(label, label)) s->conf = *c;
        s->period = (s->conf.set & conf::SET_PERIOD) ? s->conf.period : 0;
        s->flags |= RS_ACTIVE | (core_label(label) ? RS_CORE : 0);
        // A boot process still has its slot's first endpoint (generation 0).
        if (p.endpoint == p.slot) s->flags |= RS_BOOT;
        s->endpoint = p.endpoint;
        s->alive_tm = s->check_tm = now;
        s->published = true;  // its label is in DS from before (republished on restart)
        if (str::eq(label, "ds")) ds_ready_ = true;
        logf("RS: rebuilding: adopted '%s' at endpoint %d", label, p.endpoint);
    }
    reconcile(tab, n);
}

// A live update in flight when RS died (`nv` is its new version).
void Manager::reconcile_update(Service& nv) {
    Service* o = nullptr;
    for (Service& s : table_)
        if (&s != &nv && (s.flags & RS_IN_USE) && (s.flags & RS_UPDATING) &&
            !(s.flags & RS_TERMINATED) && str::eq(s.label, nv.label))
            o = &s;
    if (!o) {
        cleanup(nv, true);
        return;
    }
    if (!(nv.flags & RS_INITIALIZING)) {
        // Not swapped: the old version serves. If it is still preparing,
        // this tells it to stop (a "ready" it sent got ERESTART: SEF goes on).
        host_->send_lu_prepare(o->endpoint, SEF_LU_STATE_NULL, 0);
        cleanup(nv, true);
        o->flags &= ~RS_UPDATING;
        logf("RS: the update of '%s' in flight when RS died is cancelled; the old version goes on",
             o->label);
        return;
    }
    // Swapped: the new version initializes at the label's endpoint, the
    // old image waits at the other one. Swap back, as a failed init does.
    const endpoint_t old_ep = nv.endpoint, new_ep = o->endpoint;
    host_->kill(old_ep, SIGKILL);
    const int r = host_->vm_update(old_ep, new_ep, true);
    if (r == OK) {
        o->endpoint = old_ep;
        nv.endpoint = new_ep;
        o->flags &= ~RS_UPDATING;
        cleanup(nv, false);
        logf("RS: the update of '%s' in flight when RS died is rolled back", o->label);
        return;
    }
    logf("RS: the update of '%s' in flight when RS died cannot be rolled back (%s); restarting it",
         o->label, errno_name(r));
    cleanup(*o, true);
    nv.flags &= ~(RS_UPDATING | RS_INITIALIZING);
    nv.flags |= RS_TERMINATED;
    schedule_restart(nv);
}

void Manager::reconcile(const proc_info* tab, int n) {
    const clock_t_ now = host_->now();
    // First, while the table is as the dead RS left it.
    for (int i = 0; i < n; ++i) {
        const proc_info& p = tab[i];
        if (!managed_by(p, self_) || find_ep(p.endpoint)) continue;
        char name[PROC_NAME_LEN];
        str::copy(name, p.name, sizeof name);
        if (str::eq(name, "rs")) {
            logf("RS: clearing process %d: the new RS of an update of RS in flight when RS died",
                 p.endpoint);
            host_->clear(p.endpoint);
            continue;
        }
        logf("RS: process %d ('%s') has RS as signal manager but no record: left alone", p.endpoint,
             name);
    }
    for (Service& s : table_) {
        if (!(s.flags & RS_IN_USE)) continue;
        if (s.flags & RS_LATEREPLY) {  // the kernel answered it ERESTART
            s.flags &= ~RS_LATEREPLY;
            s.caller = NONE;
        }
    }
    for (Service& s : table_)
        if ((s.flags & RS_IN_USE) && (s.flags & RS_UPDATING) && !(s.flags & RS_ACTIVE) &&
            !(s.flags & RS_TERMINATED))
            reconcile_update(s);
    for (Service& s : table_) {
        if (!(s.flags & RS_IN_USE) || (s.flags & RS_TERMINATED)) continue;
        s.alive_tm = s.check_tm = now;  // no heartbeat went out while RS was down
        const proc_info* p = s.endpoint == NONE ? nullptr : find_proc(tab, n, s.endpoint);
        if (p && !held_for_good(*p)) continue;
        logf("RS: service '%s' (endpoint %d) %s while RS was down: recovering it", s.label,
             s.endpoint, p ? "died" : "is gone");
        if (p) host_->kill(s.endpoint, SIGKILL);
        terminated(s, SIGKILL);
    }
    for (Service& s : table_) {
        if (!(s.flags & RS_IN_USE) || !(s.flags & RS_TERMINATED) || s.restart_pending) continue;
        bool has_replica = false;
        for (const Service& o : table_)
            if ((o.flags & RS_IN_USE) && o.prev == &s) has_replica = true;
        if (has_replica) continue;
        // Its recovery script (or whatever was to follow) went with the old RS.
        logf("RS: service '%s' was waiting for its recovery when RS died: restarting it", s.label);
        s.restart_pending = true;
        s.restart_tm = now;
    }
}

}  // namespace umk::rs
