// RS's policy (MINIX servers/rs/manager.c + request.c): starting services,
// crash recovery with a frozen predecessor, live update with rollback.
#include "manager.h"

#include <cstdarg>
#include <initializer_list>

#include "umk/str.h"
#include "umk/err.h"
#include "umk/priv_flags.h"
#include "umk/sig.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"

namespace umk::rs {
namespace {

constexpr const char* kCoreLabels[] = {"rs", "pm", "vm", "ds"};

bool is_core(const char* label) {
    for (const char* c : kCoreLabels)
        if (str::eq(c, label)) return true;
    return false;
}

// The kernel calls every system process gets (MINIX SYS_BASIC_CALLS).
constexpr std::uint64_t basic_calls() {
    std::uint64_t m = 0;
    for (int call : {SYS_EXIT, SYS_SAFECOPYFROM, SYS_SAFECOPYTO, SYS_GETINFO, SYS_TIMES,
                     SYS_SETALARM, SYS_SETGRANT, SYS_DIAGCTL})
        m |= std::uint64_t{1} << (call - KERNEL_CALL);
    return m;
}

void set_ipc_bit(priv_args& pa, int id) {
    if (id >= 0 && id < NR_SYS_PROCS) pa.ipc_to[id / 64] |= std::uint64_t{1} << (id % 64);
}

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

void Manager::logf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    host_->vlog(fmt, ap);
    va_end(ap);
}

void Manager::init(Host& host, const conf::Config* builtin, endpoint_t self) {
    host_ = &host;
    builtin_ = builtin;
    self_ = self;
    ds_ready_ = false;
    shutting_down_ = false;
    upd_ = Update{};
    sup_ = SelfUpdate{};
    for (Service& s : table_) s = Service{};
    for (Script& sc : scripts_) sc = Script{};
}

// ---- the table ----

Service* Manager::alloc() {
    for (Service& s : table_) {
        if (s.flags & RS_IN_USE) continue;
        s = Service{};
        s.flags = RS_IN_USE;
        s.endpoint = NONE;
        s.caller = NONE;
        return &s;
    }
    return nullptr;
}

void Manager::release(Service& s) {
    for (Service& o : table_)
        if (o.prev == &s) o.prev = nullptr;
    for (Script& sc : scripts_)
        if (sc.dead == &s) sc.dead = nullptr;
    s = Service{};
}

int Manager::records_in_use() const {
    int n = 0;
    for (const Service& s : table_) n += (s.flags & RS_IN_USE) ? 1 : 0;
    return n;
}

// The live (not dead) record of a label; the new version of an update in
// progress shares the label and is never the answer.
Service* Manager::find_label(const char* label, bool active_only) {
    for (Service& s : table_) {
        if (!(s.flags & RS_IN_USE) || (s.flags & RS_TERMINATED)) continue;
        if (upd_.active && &s == upd_.new_srv) continue;
        if (active_only && !(s.flags & RS_ACTIVE)) continue;
        if (str::eq(s.label, label)) return &s;
    }
    return nullptr;
}

const Service* Manager::find_active(const char* label) const {
    return const_cast<Manager*>(this)->find_label(label, true);
}

Service* Manager::find_ep(endpoint_t ep) {
    if (ep == NONE) return nullptr;
    for (Service& s : table_)
        if ((s.flags & RS_IN_USE) && s.endpoint == ep) return &s;
    return nullptr;
}

const Service* Manager::by_endpoint(endpoint_t ep) const {
    return const_cast<Manager*>(this)->find_ep(ep);
}

const conf::ServiceConf* Manager::policy_for(const char* label, const char* program) const {
    if (!builtin_) return nullptr;
    if (const conf::ServiceConf* c = conf::find(*builtin_, label)) return c;
    return conf::find(*builtin_, str::base_name(program));
}

// ---- starting instances ----

int Manager::build_priv(const Service& s, priv_args* pa) {
    *pa = priv_args{};
    const conf::ServiceConf& c = s.conf;
    pa->flags = SYS_PROC | PREEMPTIBLE | DYN_PRIV_ID;
    pa->trap_mask = (1u << SEND) | (1u << RECEIVE) | (1u << SENDREC) | (1u << NOTIFY) |
                    (1u << SENDNB) | (1u << SENDA);
    pa->sig_mgr = self_;
    if ((c.set & conf::SET_SIGMGR) && c.sigmgr[0]) {
        if (str::eq(c.sigmgr, "SELF"))
            pa->sig_mgr = SELF;
        else if (const Service* m = find_active(c.sigmgr))
            pa->sig_mgr = m->endpoint;
        else if (!str::eq(c.sigmgr, "rs"))
            return -ESRCH;
    }
    if (!(c.set & conf::SET_IPC) || (c.ipc_special & conf::IPC_ALL_SYS)) {
        for (int id = 0; id < NR_SYS_PROCS; ++id)
            if (id != USER_PRIV_ID) set_ipc_bit(*pa, id);
    } else if (!(c.ipc_special & conf::IPC_NONE)) {
        if (c.ipc_special & conf::IPC_SYSTEM) set_ipc_bit(*pa, static_priv_id(SYSTEM));
        for (int i = 0; i < c.nr_ipc; ++i) {
            const Service* t = find_active(c.ipc[i]);
            endpoint_t ep = t ? t->endpoint : (str::eq(c.ipc[i], "rs") ? self_ : NONE);
            if (ep != NONE) set_ipc_bit(*pa, host_->priv_id(ep));
        }
    }
    if (c.set & conf::SET_IPC && (c.ipc_special & conf::IPC_USER)) set_ipc_bit(*pa, USER_PRIV_ID);
    if (!(c.ipc_special & conf::IPC_NONE))
        set_ipc_bit(*pa, host_->priv_id(self_));  // it must answer RS
    pa->k_call_mask = c.calls | basic_calls();
    pa->nr_irq = c.nr_irq;
    for (int i = 0; i < c.nr_irq && i < 4; ++i) pa->irq_tab[i] = c.irq[i];
    pa->nr_io_range = c.nr_io;
    // The kernel only keeps (and checks) io ranges given with CHECK_IO_PORT.
    if (c.nr_io > 0) pa->flags |= CHECK_IO_PORT;
    for (int i = 0; i < c.nr_io && i < 8; ++i) {
        pa->io_tab[i][0] = c.io[i].base;
        pa->io_tab[i][1] = c.io[i].base + c.io[i].len - 1;
    }
    return OK;
}

// Spawn, privileges, label, allow, RS_INIT. An update's new version is
// created but not allowed to run (allow_now false).
int Manager::start(Service& s, int init_type, endpoint_t old_ep, bool allow_now) {
    endpoint_t ep = NONE;
    int r = host_->spawn(s.program, s.args, s.args_len, &ep);
    if (r != OK) return r;
    priv_args pa;
    r = build_priv(s, &pa);
    if (r == OK) r = host_->set_priv(ep, pa);
    if (r != OK) {
        host_->clear(ep);
        return r;
    }
    s.endpoint = ep;
    if (!allow_now) return OK;
    publish(s);
    r = host_->allow(ep);
    if (r == OK) r = host_->send_init(ep, init_type, s.restarts, old_ep, RS_DEBUG_NONE);
    if (r != OK) {
        host_->clear(ep);
        s.endpoint = NONE;
        return r;
    }
    s.flags |= RS_INITIALIZING;
    s.deadline = host_->now() + RS_INIT_T;
    s.init_error = OK;
    return OK;
}

void Manager::publish(Service& s) {
    if (!ds_ready_) return;  // published when DS has initialized
    int r = host_->publish_label(s.label, s.endpoint);
    s.published = r == OK;
    if (r != OK) logf("RS: cannot publish label '%s': %s", s.label, errno_name(r));
}

void Manager::unpublish(Service& s) {
    if (!ds_ready_ || !s.published) return;
    // Another live instance (a replica) owns the label now: leave it.
    if (Service* o = find_label(s.label, false); o && o != &s) return;
    host_->delete_label(s.label);
    s.published = false;
}

void Manager::cleanup(Service& s, bool kill_first) {
    if (s.endpoint != NONE) {
        if (kill_first) host_->kill(s.endpoint, SIGKILL);
        host_->clear(s.endpoint);
    }
    release(s);
}

void Manager::late_reply(Service& s, int result) {
    if ((s.flags & RS_LATEREPLY) && s.caller != NONE) host_->reply(s.caller, result, s.endpoint);
    s.flags &= ~RS_LATEREPLY;
    s.caller = NONE;
}

int Manager::adopt_boot(const char* label, endpoint_t ep) {
    if (find_label(label, false)) return -EBUSY;
    Service* s = alloc();
    if (!s) return -ENOMEM;
    str::copy(s->label, label, sizeof s->label);
    str::copy(s->program, label, sizeof s->program);
    if (const conf::ServiceConf* c = policy_for(label, label)) s->conf = *c;
    s->period = (s->conf.set & conf::SET_PERIOD) ? s->conf.period : 0;
    s->flags |= RS_BOOT | (is_core(label) ? RS_CORE : 0);
    s->endpoint = ep;
    priv_args pa;
    int r = build_priv(*s, &pa);
    if (r == OK) r = host_->set_priv(ep, pa);
    if (r == OK) r = host_->allow(ep);
    bool defer = !ds_ready_ && !str::eq(label, "ds");
    if (r == OK && !defer) r = host_->send_init(ep, SEF_INIT_FRESH, 0, NONE, RS_DEBUG_NONE);
    if (r != OK) {
        logf("RS: cannot start boot service '%s': %s", label, errno_name(r));
        release(*s);
        return r;
    }
    s->flags |= RS_INITIALIZING;
    s->init_deferred = defer;
    s->deadline = host_->now() + RS_INIT_T;
    return OK;
}

void Manager::boot_done() {
    for (const Service& s : table_)
        if ((s.flags & RS_IN_USE) && str::eq(s.label, "ds")) return;  // DS will release them
    send_deferred_inits();
}

void Manager::send_deferred_inits() {
    for (Service& s : table_) {
        if (!(s.flags & RS_IN_USE) || !s.init_deferred) continue;
        s.init_deferred = false;
        s.deadline = host_->now() + RS_INIT_T;
        int r = host_->send_init(s.endpoint, SEF_INIT_FRESH, 0, NONE, RS_DEBUG_NONE);
        if (r != OK) logf("RS: cannot initialize boot service '%s': %s", s.label, errno_name(r));
    }
}

// ---- init answers ----

void Manager::init_reply(endpoint_t src, int result) {
    if (sup_.active && src == sup_.new_ep) {
        self_init_reply(result);
        return;
    }
    Service* s = find_ep(src);
    if (!s || !(s->flags & RS_INITIALIZING) || (s->flags & RS_TERMINATED)) {
        host_->reply(src, -EINVAL, NONE);
        return;
    }
    if (upd_.active && s == upd_.new_srv) {
        if (result == OK) {
            update_commit();
        } else {
            // Answer its init SENDREC: SEF then exits, and the image, frozen
            // by the kernel (SIGABRT) and out of its SENDREC, can be swapped
            // back when RS hears of its death (signal -> terminated()).
            logf("RS: new version of '%s' failed to initialize: %s", s->label, errno_name(result));
            upd_.result = result;
            s->init_error = result;
            host_->reply(src, result, NONE);
        }
        return;
    }
    if (result == OK)
        init_ok(*s);
    else
        init_failed(*s, result);
}

void Manager::init_ok(Service& s) {
    host_->reply(s.endpoint, OK, NONE);
    s.flags &= ~(RS_INITIALIZING | RS_REPLICA);
    s.flags |= RS_ACTIVE;
    s.alive_tm = s.check_tm = host_->now();
    // Only now is the dead predecessor no longer needed.
    if (s.prev) {
        Service* dead = s.prev;
        s.prev = nullptr;
        cleanup(*dead, false);
        logf("RS: service '%s' restarted (endpoint %d, restarts %d)", s.label, s.endpoint,
             s.restarts);
    }
    late_reply(s, OK);
    if (str::eq(s.label, "ds") && !ds_ready_) {
        ds_ready_ = true;
        host_->publish_label("rs", self_);
        for (Service& o : table_)
            if ((o.flags & RS_IN_USE) && !(o.flags & RS_TERMINATED) && o.endpoint != NONE &&
                !(upd_.active && &o == upd_.new_srv))
                publish(o);
        send_deferred_inits();
    }
}

void Manager::init_failed(Service& s, int err) {
    logf("RS: service '%s' failed to initialize: %s", s.label, errno_name(err));
    s.init_error = err;
    host_->kill(s.endpoint, SIGKILL);
    terminated(s, SIGKILL);
}

// ---- death and recovery ----

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

// ---- requests ----

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
    if (st.flags & RSS_HAS_CONF)
        s->conf = st.conf;
    else if (const conf::ServiceConf* c = policy_for(label, st.program))
        s->conf = *c;
    if (st.period >= 0)
        s->period = st.period;
    else
        s->period = (s->conf.set & conf::SET_PERIOD) ? s->conf.period : 0;
    if (no_restart || (st.flags & RSS_NO_RESTART)) s->flags |= RS_NO_RESTART;
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
    if (upd_.active && !upd_.swapped) update_end(-EINTR);
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

// ---- live update ----

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
    n->conf = (st.flags & RSS_HAS_CONF) ? st.conf : s->conf;
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
    if (r == OK) r = host_->send_init(old_ep, SEF_INIT_LU, n.restarts, old_ep, upd_.debug);
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

int Manager::list(rs_list_entry* out, int max) const {
    int n = 0;
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
        str::copy(e.program, s.program, sizeof e.program);
    }
    return n;
}

}  // namespace umk::rs
