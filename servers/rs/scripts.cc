// Recovery scripts (MINIX 3.1.7 servers/rs/manager.c run_script): a service
// started with `-script S` is not restarted by RS when it fails; RS runs S
// with the label, the reason and the number of restarts so far, and S
// decides (normally by asking RS to refresh the label). The dead instance
// stays frozen until then. umk has no shell: S is a user program PM spawns
// (commands/recover). A script that cannot be spawned, ends without acting
// or hangs (RS_SCRIPT_T, then RS kills it) leaves RS to restart the service
// itself after the usual backoff, so a broken script never leaves a service
// dead for good.
#include "manager.h"
#include "umk/err.h"
#include "umk/priv_flags.h"
#include "umk/sig.h"
#include "umk/str.h"
#include "umklib/rs_proto.h"

namespace umk::rs {
namespace {

// Appends s and its NUL to the argument block; false if it does not fit.
bool put_arg(char* block, std::size_t size, std::size_t* len, const char* s) {
    std::size_t n = str::len(s) + 1;
    if (*len + n > size) return false;
    str::mem_copy(block + *len, s, n);
    *len += n;
    return true;
}

void decimal(char* out, int v) {
    char tmp[12];
    int n = 0;
    unsigned u = v < 0 ? 0u : static_cast<unsigned>(v);
    do {
        tmp[n++] = static_cast<char>('0' + u % 10);
        u /= 10;
    } while (u && n < 11);
    for (int i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

const char* type_name(int type) {
    switch (type) {
        case RS_UP:
            return "up";
        case RS_DOWN:
            return "down";
        case RS_REFRESH:
            return "refresh";
        case RS_RESTART:
            return "restart";
        case RS_SHUTDOWN:
            return "shutdown";
        case RS_UPDATE:
            return "update";
        case RS_RUN:
            return "run";
        case RS_LIST:
            return "list";
        case RS_LOOKUP:
            return "lookup";
        case RS_SYSCTL:
            return "sysctl";
        case RS_FI:
            return "fi";
        default:
            return "an unknown request";
    }
}

}  // namespace

Script* Manager::script_of(endpoint_t ep) {
    if (ep == NONE) return nullptr;
    for (Script& sc : scripts_)
        if (sc.active && sc.endpoint == ep) return &sc;
    return nullptr;
}

const Script* Manager::script_for(const char* label) const {
    for (const Script& sc : scripts_)
        if (sc.active && str::eq(sc.label, label)) return &sc;
    return nullptr;
}

Service* Manager::awaiting_script(const char* label) {
    for (Service& s : table_)
        if ((s.flags & RS_IN_USE) && (s.flags & RS_SCRIPT_RUNNING) && str::eq(s.label, label))
            return &s;
    return nullptr;
}

// umk has no uids: a user process may only be a recovery script RS started,
// asking about its own label, and only to refresh, restart or take it down;
// a system process may manage services only with MANAGE_SERVICES, which
// the kernel keeps with its privileges (the control proxy's by default).
int Manager::check_caller(const Request& rq) {
    if (const Script* sc = script_of(rq.caller)) {
        bool allowed = rq.type == RS_REFRESH || rq.type == RS_RESTART || rq.type == RS_DOWN;
        if (allowed && rq.label && str::eq(rq.label, sc->label)) return OK;
        logf("RS: recovery script %d of '%s' may not ask for %s%s%s: EPERM", rq.caller, sc->label,
             type_name(rq.type), rq.label ? " of " : "", rq.label ? rq.label : "");
        return -EPERM;
    }
    if (host_->is_user(rq.caller)) {
        logf(
            "RS: %s from user process %d refused (EPERM): only a recovery script RS started may "
            "ask, for its own service",
            type_name(rq.type), rq.caller);
        return -EPERM;
    }
    // Looking up and listing change nothing; everything else is managing
    // services, the administrator's (the control proxy's) by default.
    if (rq.type == RS_LOOKUP || rq.type == RS_LIST) return OK;
    const std::uint32_t auth = host_->authority(rq.caller);
    if (auth & MANAGE_SERVICES) return OK;
    // devman's narrower authority: restarting a hung driver, never a core service.
    if (rq.type == RS_RESTART && (auth & RESTART_SERVICES) && rq.label) {
        const Service* s = find_active(rq.label);
        if (s && !(s->flags & RS_CORE)) return OK;
        logf("RS: restart of %s from %d refused (EPERM): %s", rq.label, rq.caller,
             s ? "it is a core service" : "no such active service");
        return -EPERM;
    }
    const char* label = rq.label ? rq.label : rq.start ? rq.start->label : "";
    logf(
        "RS: %s%s%s from %d refused (EPERM): it may not manage services (system.conf "
        "`authority MANAGE`)",
        type_name(rq.type), label[0] ? " of " : "", label, rq.caller);
    return -EPERM;
}

// argv as MINIX: script, label, reason ("crashed" or "no-heartbeat"), the
// number of restarts so far. False (logged) if the script cannot run.
bool Manager::run_script(Service& dead) {
    Script* sc = nullptr;
    for (Script& c : scripts_)
        if (!c.active) {
            sc = &c;
            break;
        }
    const char* reason = (dead.flags & RS_NOPINGREPLY) ? "no-heartbeat" : "crashed";
    char count[12];
    decimal(count, dead.restarts);
    char block[PROGRAM_MAX + PROC_NAME_LEN + 32];
    std::size_t len = 0;
    bool fits = put_arg(block, sizeof block, &len, dead.script) &&
                put_arg(block, sizeof block, &len, dead.label) &&
                put_arg(block, sizeof block, &len, reason) &&
                put_arg(block, sizeof block, &len, count);
    int r = !sc ? -EAGAIN : !fits ? -E2BIG : OK;
    endpoint_t ep = NONE;
    if (r == OK) r = host_->spawn_user(block, len, &ep);
    if (r != OK) {
        logf("RS: cannot run the recovery script '%s' of '%s': %s; RS restarts it", dead.script,
             dead.label, errno_name(r));
        return false;
    }
    *sc = Script{};
    sc->active = true;
    sc->dead = &dead;
    sc->endpoint = ep;
    str::copy(sc->label, dead.label, sizeof sc->label);
    str::copy(sc->program, dead.script, sizeof sc->program);
    sc->deadline = host_->now() + RS_SCRIPT_T;
    dead.flags |= RS_SCRIPT_RUNNING;
    logf("RS: service '%s' %s: running its recovery script '%s' (endpoint %d, restarts %d)",
         dead.label, reason, dead.script, ep, dead.restarts);
    return true;
}

// The scripts' end: RS is their parent in PM but hears nothing when one
// exits (PM sends no SIGCHLD), so it looks at each tick; a gone script is
// a zombie in PM, whose PM_WAIT is answered at once.
void Manager::script_tick(clock_t_ now) {
    for (Script& sc : scripts_) {
        if (!sc.active) continue;
        if (host_->running(sc.endpoint)) {
            if (!sc.killed && now > sc.deadline) {
                logf("RS: recovery script '%s' of '%s' did not finish in %d ticks: killing it",
                     sc.program, sc.label, RS_SCRIPT_T);
                host_->kill(sc.endpoint, SIGKILL);
                sc.killed = true;
            }
            continue;
        }
        int r = host_->reap(sc.endpoint);
        if (r != OK)
            logf("RS: cannot reap the recovery script %d of '%s': %s", sc.endpoint, sc.label,
                 errno_name(r));
        Service* dead = sc.dead;
        bool killed = sc.killed;
        sc = Script{};
        if (!dead || !(dead->flags & RS_SCRIPT_RUNNING)) continue;  // it acted, or went away
        dead->flags &= ~RS_SCRIPT_RUNNING;
        if (shutting_down_) {
            unpublish(*dead);
            cleanup(*dead, false);
            continue;
        }
        logf("RS: recovery script of '%s' %s without restarting it: RS restarts it", dead->label,
             killed ? "was killed" : "ended");
        schedule_restart(*dead);
    }
}

}  // namespace umk::rs
