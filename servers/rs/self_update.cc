// RS's live update of itself (`service update self -label rs`; MINIX
// servers/rs: RS prepares trivially, VM swaps the slots, the new RS takes
// the old one's state). On umk each instance is its own host process, so the
// state goes across explicitly:
//
//  old RS (endpoint RS)                      new RS (endpoint N)
//  spawn N, privileges (signal manager: RS),
//  grant the state block to RS, allow,
//  RS_INIT (type LU, grant)           ---->  initialize; SEND RS_INIT OK,
//                                    <----   then receive from VM only
//  once N waits and no service is starting,
//  stopping or updating: write the state
//  block, SENDREC VM_RS_UPDATE(RS, N)  --->  VM: sys_update(RS, N) and its
//                                            answer goes to endpoint RS,
//                                            i.e. to the new image
//  (frozen at N in its SENDREC for ever)     copy the block from N, take the
//                                            table over, answer the requester,
//                                            sys_clear(N)
//
// Until the swap the old RS is the new one's signal manager, so a crash,
// failure or hang of the new instance's init ends the update with the old
// RS untouched. After the swap the slot's privileges name RS's endpoint as
// signal manager: itself, as at boot. If the new RS cannot use the block
// (or `-y` says its init fails) it writes the error into the block and asks
// VM to swap back; VM's answer then reaches the old image, which learns from
// the block why, clears N and answers the requester.
#include <cstddef>

#include "manager.h"
#include "umk/err.h"
#include "umk/sig.h"
#include "umk/str.h"
#include "umklib/sef.h"

namespace umk::rs {
namespace {

constexpr const char* kRsLabel = "rs";
constexpr const char* kRsProgram = "rs";  // etc/boot.conf: program=rs

constexpr std::uint32_t kKnownFlags = RS_IN_USE | RS_EXITING | RS_REFRESHING | RS_NOPINGREPLY |
                                      RS_TERMINATED | RS_LATEREPLY | RS_INITIALIZING | RS_UPDATING |
                                      RS_ACTIVE | RS_NO_RESTART | RS_CORE | RS_BOOT | RS_REPLICA;

template <std::size_t N>
bool terminated(const char (&s)[N]) {
    for (std::size_t i = 0; i < N; ++i)
        if (s[i] == '\0') return true;
    return false;
}

bool conf_ok(const conf::ServiceConf& c) {
    if (!terminated(c.name) || !terminated(c.sigmgr)) return false;
    if (c.nr_irq < 0 || c.nr_irq > conf::MAX_IRQ || c.nr_io < 0 || c.nr_io > conf::MAX_IO ||
        c.nr_pci < 0 || c.nr_pci > conf::MAX_PCI || c.nr_ipc < 0 || c.nr_ipc > conf::MAX_IPC ||
        c.nr_control < 0 || c.nr_control > conf::MAX_CONTROL || c.policy > conf::POLICY_RESTART)
        return false;
    for (const auto& l : c.ipc)
        if (!terminated(l)) return false;
    for (const auto& l : c.control)
        if (!terminated(l)) return false;
    return true;
}

bool record_ok(const State& in, int i) {
    const StateRecord& rec = in.records[i];
    const Service& s = rec.svc;
    if (!(s.flags & RS_IN_USE)) return true;  // free: ignored
    if ((s.flags & ~kKnownFlags) || !terminated(s.label) || !s.label[0] || !terminated(s.program) ||
        s.args_len > static_cast<std::uint32_t>(ARGS_MAX) || !conf_ok(s.conf))
        return false;
    if (rec.prev < -1 || rec.prev >= NR_SERVICES || rec.prev == i) return false;
    // A replica that took over its predecessor's endpoint must name it: the
    // predecessor's image is what a failed replica is swapped back with.
    if (s.took_over && rec.prev < 0) return false;
    return rec.prev < 0 || (in.records[rec.prev].svc.flags & RS_IN_USE);
}

}  // namespace

// No service starting, stopping or being updated, no request waiting for a
// later answer: nothing in flight that the old instance alone could finish
// (its asynchronous sends, e.g. an RS_INIT, live in its own memory).
bool Manager::quiet() const {
    if (upd_.active) return false;
    // A running recovery script is RS's child in PM and not in the state block.
    for (const Script& sc : scripts_)
        if (sc.active) return false;
    for (const Service& s : table_) {
        if (!(s.flags & RS_IN_USE)) continue;
        if (s.flags & (RS_INITIALIZING | RS_EXITING | RS_REFRESHING | RS_UPDATING | RS_LATEREPLY))
            return false;
    }
    return true;
}

int Manager::do_update_self(const Request& rq) {
    const rs_start& st = *rq.start;
    if (upd_.active || sup_.active || shutting_down_) return -EBUSY;
    if (st.state <= SEF_LU_STATE_NULL) return -EINVAL;
    if (st.maxtime < 0 || st.maxtime > LU_MAXTIME_MAX) return -EINVAL;
    if (st.args_len > sizeof st.args) return -E2BIG;
    if (!quiet()) {
        logf("RS: update of 'rs' refused for now: a service is starting, stopping or updating");
        return -EBUSY;
    }
    const bool self = (st.flags & RSS_SELF) || !st.program[0];
    const char* program = self ? kRsProgram : st.program;

    // The new instance's privileges: RS's entry of system.conf (or a narrower -config).
    static Service proto;  // too big for a small service stack
    proto = Service{};
    int r = granted_conf(kRsLabel, program, st, &proto.conf);
    if (r != OK) return r;
    priv_args pa;
    r = build_priv(proto, &pa);
    if (r != OK) return r;
    // Until the swap the old RS must hear of the new one's death. The swap
    // moves this record with the image: at RS's endpoint it names itself.
    // With a guardian (servers/guard) it names the guardian, which stays
    // RS's signal manager after the swap and passes the new instance's
    // deaths on to the old RS (GUARD_SIGNAL: main.cc).
    pa.sig_mgr = guardian_ != NONE ? guardian_ : self_;

    endpoint_t ep = NONE;
    r = host_->spawn(program, st.args, st.args_len, &ep);
    if (r != OK) {
        logf("RS: update of 'rs' failed: cannot create the new instance from '%s': %s", program,
             errno_name(r));
        return r;
    }
    int grant = -1;
    r = host_->set_priv(ep, pa);
    if (r == OK) {
        // Granted to RS's endpoint: the new instance reads it once it is RS.
        grant = host_->grant(self_, &state_, sizeof state_);
        if (grant < 0) r = grant;
    }
    if (r == OK) r = host_->allow(ep);
    if (r == OK) r = host_->send_init_self(ep, st.debug, grant, sizeof state_);
    if (r != OK) {
        logf("RS: update of 'rs' failed: cannot start the new instance: %s", errno_name(r));
        if (grant >= 0) host_->revoke(grant);
        host_->clear(ep);
        return r;
    }
    sup_ = SelfUpdate{};
    sup_.active = true;
    sup_.new_ep = ep;
    sup_.requester = rq.caller;
    sup_.debug = st.debug;
    sup_.maxtime = st.maxtime ? st.maxtime : LU_MAXTIME_DEFAULT;
    sup_.grant = grant;
    sup_.deadline = host_->now() + static_cast<clock_t_>(sup_.maxtime);
    logf("RS: updating 'rs': new instance at endpoint %d", ep);
    return -EDONTREPLY;
}

// The new instance's RS_INIT answer (it SENT it: nothing to reply).
void Manager::self_init_reply(int result) {
    if (result != OK) {
        self_abort(result, "the new instance failed to initialize");
        return;
    }
    sup_.ready = true;
    sup_.deadline = host_->now() + static_cast<clock_t_>(sup_.maxtime);
    if (sup_.batch) {
        update_rs_ready();  // the other members now; the swap comes after their commit
        return;
    }
    self_try_swap();
}

void Manager::self_try_swap() {
    sup_.quick_retry = false;
    if (!quiet()) {
        if (!sup_.waiting_logged)
            logf("RS: update of 'rs' waits until no service is starting, stopping or updating");
        sup_.waiting_logged = true;
        return;
    }
    // Between its answer and its receive from VM the new instance is
    // running, and the kernel would refuse the swap.
    if (!host_->receiving(sup_.new_ep)) {
        sup_.quick_retry = true;
        return;
    }
    save_state(&state_, sup_.requester, sup_.new_ep);
    const int r = host_->vm_update(self_, sup_.new_ep, false);
    // A swap that worked does not come back here: VM's answer went to the
    // new image, now at our endpoint, and this image waits for ever at the
    // new instance's endpoint until the new RS clears it.
    if (r == -EBUSY) {
        sup_.quick_retry = true;
        return;
    }
    if (r != OK) {
        self_abort(r, "VM could not swap");
        return;
    }
    // Back at our endpoint after a swap: the new instance gave up and
    // swapped back. It wrote why into the block.
    const int why = state_.result != OK ? state_.result : -ERESTART;
    self_abort(why, "the new instance could not take over; rolled back");
}

void Manager::self_abort(int result, const char* why) {
    const SelfUpdate s = sup_;
    sup_ = SelfUpdate{};
    // The other members of a multi-component update go back with it.
    if (upd_.active && upd_.with_rs) update_fail(result, nullptr, "the update of 'rs' failed");
    rest_.n = 0;
    host_->revoke(s.grant);
    host_->clear(s.new_ep);
    logf("RS: update of 'rs' failed: %s (%s); the old instance goes on", why, errno_name(result));
    host_->reply(s.requester, result, self_);
}

void Manager::self_tick(clock_t_ now) {
    if (!sup_.active) return;
    if (sup_.batch && upd_.active) return;  // the other members' timeouts apply
    if (now > sup_.deadline) {
        self_abort(-EINTR, sup_.ready ? "no moment without a service starting, stopping or "
                                        "updating came in time"
                                      : "the new instance did not initialize in time");
        return;
    }
    if (sup_.ready) self_try_swap();
}

// ---- the state block ----

void Manager::save_state(State* out, endpoint_t requester, endpoint_t new_instance) const {
    out->magic = STATE_MAGIC;
    out->version = STATE_VERSION;
    out->size = sizeof(State);
    out->record_size = sizeof(StateRecord);
    out->nr_records = NR_SERVICES;
    out->result = OK;
    out->self = self_;
    out->requester = requester;
    out->new_instance = new_instance;
    out->flags = ds_ready_ ? STATE_DS_READY : 0;
    for (int i = 0; i < NR_SERVICES; ++i) {
        StateRecord& rec = out->records[i];
        rec.svc = table_[i];
        rec.svc.prev = nullptr;
        rec.prev = table_[i].prev ? static_cast<std::int32_t>(table_[i].prev - table_) : -1;
        rec.pad = 0;
    }
}

int Manager::load_state(const State& in) {
    if (in.magic != STATE_MAGIC || in.version != STATE_VERSION || in.size != sizeof(State) ||
        in.record_size != sizeof(StateRecord) || in.nr_records != NR_SERVICES || in.self != self_)
        return -EINVAL;
    for (int i = 0; i < NR_SERVICES; ++i)
        if (!record_ok(in, i)) return -EINVAL;
    for (int i = 0; i < NR_SERVICES; ++i) {
        const StateRecord& rec = in.records[i];
        if (rec.svc.flags & RS_IN_USE) {
            table_[i] = rec.svc;
            table_[i].prev = rec.prev >= 0 ? &table_[rec.prev] : nullptr;
        } else {
            table_[i] = Service{};
        }
    }
    ds_ready_ = in.flags & STATE_DS_READY;
    shutting_down_ = false;
    upd_ = Update{};
    sup_ = SelfUpdate{};
    return OK;
}

// ---- the new instance ----

int Manager::take_over(endpoint_t old_instance, int grant, int forced) {
    int r = host_->copy_from(old_instance, grant, 0, &state_, sizeof state_);
    if (r == OK && state_.new_instance != old_instance) r = -EINVAL;
    const bool usable = r == OK;
    if (r == OK) r = forced != OK ? forced : load_state(state_);
    if (r != OK) {
        logf("RS: the new instance cannot take over (%s): swapping back to the old one",
             errno_name(r));
        host_->copy_to(old_instance, grant, offsetof(State, result), &r, sizeof r);
        const int rb = host_->vm_update(self_, old_instance, true);
        // A swap back that worked does not come back here either (this image
        // now waits at old_instance until the old RS clears it).
        if (rb == OK) return r;
        logf("RS: swapping back to the old instance failed: %s", errno_name(rb));
        // Better a forced failure ignored than no RS at all.
        if (!usable || forced == OK || load_state(state_) != OK) return r;
        logf("RS: the new instance goes on with the old one's table");
    }
    const endpoint_t requester = state_.requester;
    host_->clear(old_instance);
    logf(
        "RS: update of 'rs' succeeded: the new instance serves at endpoint %d; the old one (now "
        "at %d) is cleared",
        self_, old_instance);
    host_->reply(requester, OK, self_);
    return OK;
}

}  // namespace umk::rs
