// RS's service table and the start of services (MINIX servers/rs/manager.c:
// the table, its lookups, start_service and the privileges from
// system.conf). Everything else RS does is built on these: the records,
// finding one by label or endpoint, spawning an instance with its
// privileges and label, adopting the boot processes, and the answer to the
// RS_INIT that makes an instance active. The client requests are in
// request.cc, death and restart in recovery.cc, live update in update.cc
// and self_update.cc, recovery scripts in scripts.cc.
#include "manager.h"
#include "policy.h"

#include <cstdarg>
#include <initializer_list>

#include "umk/err.h"
#include "umk/priv_flags.h"
#include "umk/sig.h"
#include "umk/str.h"
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
        s.state_grant = -1;
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
        if (update_new_version(s)) continue;
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

// What the new instance gets: the built-in grant of its label (a label
// without an entry: the defaults, `default_conf`), or the request's own
// entry if that stays within the grant (-EPERM, logged, if it widens it).
int Manager::granted_conf(const char* label, const char* program, const rs_start& st,
                          conf::ServiceConf* out) {
    static const conf::ServiceConf default_conf{};
    const conf::ServiceConf* grant = policy_for(label, program);
    if (!grant) grant = &default_conf;
    if (!(st.flags & RSS_HAS_CONF)) {
        *out = *grant;
        return OK;
    }
    if (const char* what = widens(st.conf, *grant)) {
        logf("RS: the entry sent for '%s' widens its %s beyond system.conf's grant: EPERM", label,
             what);
        return -EPERM;
    }
    *out = st.conf;
    return OK;
}

// ---- starting instances ----

int Manager::build_priv(const Service& s, priv_args* pa) {
    *pa = priv_args{};
    const conf::ServiceConf& c = s.conf;
    pa->flags = SYS_PROC | PREEMPTIBLE | DYN_PRIV_ID | (c.authority & AUTHORITY_FLAGS);
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
    // A replica's predecessor is still at its own endpoint (the reset policy
    // gives the replica a new one): nothing it granted names the replica.
    if (r == OK) r = host_->send_init(ep, init_type, s.restarts, old_ep, RS_DEBUG_NONE, NONE, -1);
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

// A label DS refused for now (ELOCKED while DS waits in a live update's
// ready call to RS, a DS restart in between) is published again once DS can
// take it: a service DS does not know cannot be found by anyone.
void Manager::republish_pending() {
    if (!ds_ready_) return;
    if (const Service* ds = find_active("ds"); !ds || (ds->flags & RS_UPDATING)) return;
    for (Service& s : table_) {
        if (!(s.flags & RS_IN_USE) || !(s.flags & RS_ACTIVE) || (s.flags & RS_TERMINATED) ||
            s.endpoint == NONE || s.published || update_new_version(s))
            continue;
        if (host_->publish_label(s.label, s.endpoint) != OK) continue;  // logged when it failed
        s.published = true;
        logf("RS: label '%s' published (endpoint %d) after an earlier failure", s.label,
             s.endpoint);
    }
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
    if (r == OK && !defer)
        r = host_->send_init(ep, SEF_INIT_FRESH, 0, NONE, RS_DEBUG_NONE, NONE, -1);
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
        int r = host_->send_init(s.endpoint, SEF_INIT_FRESH, 0, NONE, RS_DEBUG_NONE, NONE, -1);
        if (r != OK) logf("RS: cannot initialize boot service '%s': %s", s.label, errno_name(r));
    }
}

// ---- init answers ----

void Manager::init_reply(endpoint_t src, int result, int state_grant) {
    if (sup_.active && src == sup_.new_ep) {
        self_init_reply(result);
        return;
    }
    Service* s = find_ep(src);
    if (!s || !(s->flags & RS_INITIALIZING) || (s->flags & RS_TERMINATED)) {
        host_->reply(src, -EINVAL, NONE);
        return;
    }
    s->state_grant = result == OK ? state_grant : -1;
    if (update_init_reply(*s, result)) return;  // a new version of a live update
    if (result == OK)
        init_ok(*s);
    else
        init_failed(*s, result);
}

void Manager::init_ok(Service& s) {
    // The guardian (servers/guard) answered asynchronously and waits for
    // nothing: it must never block on RS.
    if (s.endpoint != guardian_) host_->reply(s.endpoint, OK, NONE);
    s.flags &= ~(RS_INITIALIZING | RS_REPLICA);
    s.flags |= RS_ACTIVE;
    s.alive_tm = s.check_tm = s.up_tm = host_->now();
    // Only now is the dead predecessor no longer needed (policy restart: its
    // image, at the replica's former endpoint, which dead->endpoint names).
    if (s.prev) {
        Service* dead = s.prev;
        const bool in_place = s.took_over;
        s.prev = nullptr;
        s.took_over = false;
        cleanup(*dead, false);
        logf("RS: service '%s' restarted (endpoint %d, restarts %d%s)", s.label, s.endpoint,
             s.restarts, in_place ? ", policy restart: same endpoint" : "");
    }
    late_reply(s, OK);
    if (str::eq(s.label, "ds") && !ds_ready_) {
        ds_ready_ = true;
        host_->publish_label("rs", self_);
        for (Service& o : table_)
            if ((o.flags & RS_IN_USE) && !(o.flags & RS_TERMINATED) && o.endpoint != NONE &&
                !update_new_version(o))
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

}  // namespace umk::rs
