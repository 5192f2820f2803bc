// RS, the reincarnation server (MINIX servers/rs/main.c): adopt the boot
// services, then serve requests, init answers, live-update readiness,
// heartbeats, kernel signals (RS is the signal manager of every system
// process) and its own clock.
#include "builtin_conf.h"
#include "manager.h"
#include "rs_host.h"
#include "umk/com.h"
#include "umk/err.h"
#include "umk/priv_flags.h"
#include "umk/proc_flags.h"
#include "umk/sig.h"
#include "umk/str.h"
#include "umklib/guard_proto.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"
#include "umklib/sef_state.h"
#include "umklib/syslib.h"
#include "umklib/vm_proto.h"

namespace {

using namespace umk;
using namespace umk::rs;

SysHost sys_host;
Manager manager;
conf::Config builtin;
proc_info boot_tab[NR_TASKS + NR_PROCS];
rs_start start_buf;
rs_list_entry list_buf[NR_SERVICES + 1];  // RS's own row and the table

// RS's checkpoint (sef_state): the table as a state block, written after
// every change, so that a new RS started by the guardian (servers/guard)
// after a death of RS finds it in the dead image (restore.cc).
alignas(8) unsigned char state_area[sef_state_area_size(sizeof(State))];
State ckpt_now;   // the table as it is
State ckpt_last;  // as last checkpointed
cp_grant_id_t state_grant = GRANT_INVALID;
// What the guardian needs to start a new RS: RS's privileges.
priv_args guard_priv;
cp_grant_id_t guard_priv_grant = GRANT_INVALID;
endpoint_t guard_priv_to = NONE;

// RS's signal manager when it is not RS itself: the guardian.
endpoint_t guardian() {
    proc_info me{};
    if (sys_getinfo(GET_PROCINFO, &me, sizeof me, SELF) != OK) return NONE;
    // The old RS is the signal manager of a new instance of its own update.
    if (me.sig_mgr == NONE || me.sig_mgr == SELF || me.sig_mgr == me.endpoint ||
        me.sig_mgr == RS_PROC_NR)
        return NONE;
    return me.sig_mgr;
}

void checkpoint() {
    manager.checkpoint(&ckpt_now);
    if (str::mem_eq(&ckpt_now, &ckpt_last, sizeof ckpt_now)) return;
    if (int r = sef_state_checkpoint(&ckpt_now, sizeof ckpt_now); r != OK) {
        log_printf("RS: checkpoint failed: %s\n", errno_name(r));
        return;
    }
    str::mem_copy(&ckpt_last, &ckpt_now, sizeof ckpt_now);
}

// GUARD_RS_UP: the grant of our checkpoint area and our privileges (the
// answer to GUARD_HELLO, or to the guardian's RS_INIT). Never blocks.
void tell_guardian(endpoint_t guard, int result) {
    if (guard == NONE) return;
    if (state_grant == GRANT_INVALID)
        state_grant =
            cpf_grant_direct(RS_PROC_NR, vir_addr(state_area), sizeof state_area, CPF_READ);
    if (guard_priv_to != guard) {
        if (guard_priv_grant != GRANT_INVALID) cpf_revoke(guard_priv_grant);
        guard_priv_grant = GRANT_INVALID;
        guard_priv = priv_args{};
        if (manager.rs_privileges(&guard_priv) == OK) {
            // The authority the kernel gave this RS (the boot image gives
            // RS every flag), and user processes: RS answers its scripts.
            proc_info me{};
            if (sys_getinfo(GET_PROCINFO, &me, sizeof me, SELF) == OK)
                guard_priv.flags =
                    (guard_priv.flags & ~AUTHORITY_FLAGS) | (me.priv_flags & AUTHORITY_FLAGS);
            guard_priv.ipc_to[USER_PRIV_ID / 64] |= std::uint64_t{1} << (USER_PRIV_ID % 64);
            guard_priv_grant =
                cpf_grant_direct(guard, vir_addr(&guard_priv), sizeof guard_priv, CPF_READ);
        }
        guard_priv_to = guard;
    }
    message m{};
    m.m_type = GUARD_RS_UP;
    m.GUARD_RESULT = result;
    m.GUARD_STATE_GRANT = state_grant;
    m.GUARD_PRIV_GRANT = guard_priv_grant;
    m.GUARD_PRIV_LEN = sizeof guard_priv;
    if (int r = asynsend3(guard, &m, AMF_NOREPLY); r != OK)
        log_printf("RS: cannot tell the guardian (%d): %s\n", guard, errno_name(r));
}

void arm_alarm() {
    sys_setalarm(RS_DELTA_T, false);
}

// RS's own update retries its swap at the next tick.
void quick_tick() {
    if (manager.wants_quick_tick()) sys_setalarm(1, false);
}

// Boot services wait with RTS_NO_PRIV for RS to configure them.
void adopt_boot_services() {
    if (int r = sys_getinfo(GET_PROCTAB, boot_tab, sizeof boot_tab); r != OK)
        panic("RS: cannot read the process table: %d", r);
    for (const proc_info& p : boot_tab) {
        if (p.slot < 0 || (p.rts_flags & RTS_SLOT_FREE) || !(p.rts_flags & RTS_NO_PRIV)) continue;
        char name[PROC_NAME_LEN];
        str::copy(name, p.name, sizeof name);
        int r = manager.adopt_boot(name, p.endpoint);
        if (r != OK) log_printf("RS: boot service '%s' not started: %s\n", name, errno_name(r));
    }
    manager.boot_done();
}

// The policy RS was built with, and a fresh Manager.
void init_manager(endpoint_t self) {
    conf::Error err;
    int r = conf::parse(builtin_system_conf, builtin_system_conf_len, "system.conf (built in)",
                        &builtin, &err);
    if (r != OK) {
        char msg[256];
        conf::format_error(err, msg, sizeof msg);
        log_printf("RS: %s\n", msg);  // go on with defaults
    }
    manager.init(sys_host, &builtin, self);
    manager.set_guardian(guardian());
}

int rs_init(int, sef_init_info_t*) {
    init_manager(self_endpoint());
    adopt_boot_services();
    arm_alarm();
    return OK;
}

// RS started by the guardian after a death of RS: the table from the dead
// RS's checkpoint, else rebuilt from the kernel (restore.cc).
int rs_restart(int, sef_init_info_t* info) {
    init_manager(RS_PROC_NR);
    manager.set_self_restarts(info ? info->restarts : 0);
    int n = NR_TASKS + NR_PROCS;
    if (int r = sys_getinfo(GET_PROCTAB, boot_tab, sizeof boot_tab); r != OK) {
        log_printf("RS: cannot read the process table: %s\n", errno_name(r));
        n = 0;
    }
    std::size_t len = sizeof ckpt_now;
    std::uint32_t version = 0;
    int r = sef_state_restore(&ckpt_now, &len, &version);
    const char* why = sef_state_error(r);
    if (r == OK && (version != STATE_VERSION || len != sizeof ckpt_now)) {
        r = -EINVAL;
        why = sef_state_error(r);
    }
    if (r == OK) {
        r = manager.restore(ckpt_now, boot_tab, n);
        why = "its records do not check";
    }
    if (r == OK) {
        log_printf("RS: restarted: the table of the previous RS is restored (%d records)\n",
                   manager.records_in_use());
    } else {
        log_printf(
            "RS: restarted: the checkpoint of the previous RS is lost (%s: %s); rebuilding the "
            "table from the kernel's process table and system.conf\n",
            errno_name(r), why);
        manager.rebuild(boot_tab, n);
    }
    return OK;
}

// Never trust the client's block: terminate every string, bound every count.
void sanitize(rs_start& st) {
    st.label[sizeof st.label - 1] = '\0';
    st.program[sizeof st.program - 1] = '\0';
    st.script[sizeof st.script - 1] = '\0';
    if (st.args_len > sizeof st.args) st.args_len = sizeof st.args;
    if (st.args_len) st.args[st.args_len - 1] = '\0';
    conf::ServiceConf& c = st.conf;
    c.name[sizeof c.name - 1] = '\0';
    c.sigmgr[sizeof c.sigmgr - 1] = '\0';
    if (c.nr_irq < 0 || c.nr_irq > conf::MAX_IRQ) c.nr_irq = 0;
    if (c.nr_io < 0 || c.nr_io > conf::MAX_IO) c.nr_io = 0;
    if (c.nr_pci < 0 || c.nr_pci > conf::MAX_PCI) c.nr_pci = 0;
    if (c.nr_ipc < 0 || c.nr_ipc > conf::MAX_IPC) c.nr_ipc = 0;
    if (c.nr_control < 0 || c.nr_control > conf::MAX_CONTROL) c.nr_control = 0;
    for (auto& l : c.ipc) l[conf::LABEL_LEN - 1] = '\0';
    for (auto& l : c.control) l[conf::LABEL_LEN - 1] = '\0';
}

// A client request: returns the reply's m_type, or -EDONTREPLY.
int client_request(message& m) {
    Request rq{m.m_type, m.m_source, nullptr, nullptr};
    char label[PROC_NAME_LEN];
    switch (m.m_type) {
        case RS_UP:
        case RS_RUN:
        case RS_UPDATE: {
            if (m.RS_CMD_LEN != static_cast<int>(sizeof start_buf)) return -EINVAL;
            int r = sys_safecopyfrom(m.m_source, m.RS_CMD_GRANT, 0,
                                     reinterpret_cast<vir_bytes>(&start_buf), sizeof start_buf);
            if (r != OK) return r;
            sanitize(start_buf);
            rq.start = &start_buf;
            break;
        }
        case RS_DOWN:
        case RS_REFRESH:
        case RS_RESTART:
        case RS_LOOKUP:
        case RS_FI:
            str::copy(label, m.RS_NAME, sizeof label);
            rq.label = label;
            break;
        case RS_LIST: {
            if (int r = manager.check_caller(rq); r != OK) return r;
            int n = manager.list(list_buf, NR_SERVICES + 1);
            int room = m.RS_CMD_LEN / static_cast<int>(sizeof(rs_list_entry));
            if (room < 0) return -EINVAL;
            if (n > room) n = room;
            if (n > 0) {
                int r = sys_safecopyto(m.m_source, m.RS_CMD_GRANT, 0,
                                       reinterpret_cast<vir_bytes>(list_buf),
                                       static_cast<std::size_t>(n) * sizeof(rs_list_entry));
                if (r != OK) return r;
            }
            m.RS_CMD_LEN = n;
            return OK;
        }
        case RS_SHUTDOWN:
            break;
        case RS_SYSCTL:
            rq.subtype = m.RS_SYSCTL_SUBTYPE;
            break;
        default:
            return -EINVAL;
    }
    endpoint_t ep = NONE;
    int r = manager.request(rq, &ep);
    m.RS_ENDPOINT = ep;
    return r;
}

// SIGKSIG: collect the kernel signals of the processes RS manages.
void collect_signals() {
    for (;;) {
        endpoint_t target;
        sigset_t_ set;
        if (sys_getksig(&target, &set) != OK || target == NONE) return;
        int r = OK;
        for (int sig = 1; sig < NR_SIGS && r == OK; ++sig)
            if (sig_has(set, sig)) r = manager.signal(target, sig);
        if (r == OK) sys_endksig(target);
    }
}

void system_notify(const message& m) {
    sigset_t_ set = static_cast<sigset_t_>(m.NOTIFY_ARG);
    if (sig_has(set, SIGKSIG)) collect_signals();
    if (sig_has(set, SIGKSTART)) manager.proc_started();
    // Signals for RS itself (SIGKSIGSM) are ignored: RS is the last to go.
}

// `service fi rs`, answered: a real fault, as SEF's crash does for the
// other services (the address comes from a volatile so the compiler cannot
// see it is 0); RS's guardian recovers it.
[[noreturn]] void crash_on_request() {
    log_printf("RS: crashing on request (service fi)\n");
    static volatile std::uintptr_t nowhere = 0;
    *reinterpret_cast<volatile int*>(nowhere) = 1;
    panic("RS: the requested crash did not fault");
}

// RS's receive loop.
[[noreturn]] void serve() {
    for (;;) {
        message m{};
        // RS receives directly: SEF's receive loop would swallow the
        // RS_INIT answers of the services RS starts.
        int r = ipc_receive(ANY, &m);
        if (r != OK) {
            log_printf("RS: receive failed: %s\n", errno_name(r));
            continue;
        }
        endpoint_t who = m.m_source;
        if (is_notify(m.m_type)) {
            if (who == CLOCK) {
                manager.tick();
                arm_alarm();
            } else if (who == SYSTEM) {
                system_notify(m);
            } else {
                manager.notified(who);
                // The guardian's ping (it kills a hung RS): answered at once.
                if (who == manager.guardian()) ipc_notify(who);
            }
            quick_tick();
            checkpoint();
            continue;
        }
        switch (m.m_type) {
            case RS_INIT:
                manager.init_reply(who, m.RS_INIT_RESULT, m.RS_INIT_STATE_AREA);
                quick_tick();
                checkpoint();
                continue;
            case RS_LU_PREPARE:
                manager.lu_ready(who, m.RS_LU_RESULT);
                checkpoint();
                continue;
            case GUARD_SIGNAL:
                // The guardian's report of a death it does not handle itself
                // (the new instance of RS's own update); the process stays held.
                if (who == manager.guardian()) {
                    const auto set = static_cast<sigset_t_>(m.GUARD_SIG_MAP);
                    for (int sig = 1; sig < NR_SIGS; ++sig)
                        if (sig_has(set, sig) && manager.signal(m.GUARD_SIG_ENDPT, sig) != OK)
                            break;
                    checkpoint();
                }
                continue;
            case GUARD_HELLO:
                if (const endpoint_t g = guardian(); g == who) tell_guardian(g, OK);
                continue;
            default:
                break;
        }
        if (m.m_type < RS_RQ_BASE || m.m_type >= RS_RQ_BASE + 0x100)
            continue;  // not for RS: no answer
        int result = client_request(m);
        // An update waiting for its new version to start: tick early, so
        // the fallback (LU_START_WAIT) is not a whole RS period late.
        if (manager.awaiting_start()) sys_setalarm(LU_START_WAIT, false);
        // Before the answer: a crash after it must not lose what it promised.
        checkpoint();
        if (result == -EDONTREPLY) continue;
        m.m_type = result;
        r = ipc_sendnb(who, &m);
        if (r != OK) log_printf("RS: cannot answer %d: %s\n", who, errno_name(r));
        if (manager.crash_requested()) crash_on_request();
    }
}

// A new instance of RS, started by RS for `service update ... -label rs`
// (self_update.cc has the whole protocol). It initializes at its own
// endpoint, tells the old RS, and waits for VM: VM's answer to the old RS's
// VM_RS_UPDATE reaches this image only once it owns RS's endpoint.
[[noreturn]] void run_new_instance() {
    const endpoint_t me = self_endpoint();
    message m{};
    for (;;) {
        int r = ipc_receive(RS_PROC_NR, &m);
        if (r != OK) panic("RS (new instance): waiting for RS_INIT failed: %s", errno_name(r));
        if (m.m_type == RS_INIT) break;
        log_printf("RS (new instance): ignoring message 0x%x from RS before RS_INIT\n",
                   static_cast<unsigned>(m.m_type));
    }
    const std::int64_t debug = m.RS_INIT_DEBUG;
    const int grant = static_cast<int>(m.RS_INIT_STATE_GRANT);
    sef_init_info_t info{RS_PROC_NR, RS_PROC_NR, 0};
    int r = OK;
    if (m.RS_INIT_TYPE != SEF_INIT_LU) {
        r = -EINVAL;
    } else if (m.RS_INIT_STATE_LEN != sizeof(State)) {
        // Another layout of the table: found out before the swap.
        log_printf("RS (new instance): the old RS's state block has %lu bytes, %lu expected\n",
                   static_cast<unsigned long>(m.RS_INIT_STATE_LEN),
                   static_cast<unsigned long>(sizeof(State)));
        r = -EINVAL;
    } else if (debug & RS_INIT_DEBUG_CRASH) {
        sef_cb_init_crash(SEF_INIT_LU, &info);
    } else if (debug & RS_INIT_DEBUG_TIMEOUT) {
        sef_cb_init_timeout(SEF_INIT_LU, &info);
    } else if (debug & RS_INIT_DEBUG_FAIL_EARLY) {  // -y in a multi-component update
        r = sef_cb_init_fail(SEF_INIT_LU, &info);
    }
    if (r == OK) init_manager(RS_PROC_NR);
    message ready{};
    ready.m_type = RS_INIT;
    ready.RS_INIT_RESULT = r;
    // A plain SEND: a SENDREC would leave this image waiting for an answer
    // from RS's endpoint, which after the swap is its own.
    int s = ipc_send(RS_PROC_NR, &ready);
    if (r != OK || s != OK) sef_exit(r != OK ? r : s);
    do {
        r = ipc_receive(VM_PROC_NR, &m);
        if (r != OK) panic("RS (new instance): waiting for the swap failed: %s", errno_name(r));
    } while (self_endpoint() != RS_PROC_NR);
    // `service update -y`: the init fails - after the swap, so that the
    // swap back is what gets exercised.
    const int forced = (debug & RS_INIT_DEBUG_FAIL) ? sef_cb_init_fail(SEF_INIT_LU, &info) : OK;
    r = manager.take_over(me, grant, forced);
    if (r != OK)
        panic("RS: cannot take over from the old RS nor give its endpoint back: %s", errno_name(r));
    arm_alarm();
    checkpoint();
    tell_guardian(guardian(), OK);  // our checkpoint, not the old RS's
    serve();
}

// Started by the guardian: its RS_INIT (RESTART) names the dead RS's image
// and checkpoint grant. The answer goes back asynchronously.
[[noreturn]] void run_restarted(endpoint_t guard) {
    message m{};
    for (;;) {
        int r = ipc_receive(guard, &m);
        if (r != OK) panic("RS: waiting for the guardian's RS_INIT failed: %s", errno_name(r));
        if (m.m_type == RS_INIT && m.RS_INIT_TYPE == SEF_INIT_RESTART) break;
    }
    sef_setcb_init_restart(rs_restart);
    const int r = sef_startup_rs_restart(m);
    tell_guardian(guard, r);
    if (r != OK) sef_exit(r);
    arm_alarm();
    checkpoint();
    serve();
}

}  // namespace

int main() {
    // A kernel call first: a new image runs up to its first trap before it
    // may run at all, and only after that (the guardian's swap, if any) is
    // its endpoint the one it keeps.
    proc_info me{};
    if (int r = sys_getinfo(GET_PROCINFO, &me, sizeof me, SELF); r != OK)
        panic("RS: cannot read its own process entry: %s", errno_name(r));
    if (int r = sef_state_setup(state_area, sizeof state_area, sizeof(State), STATE_VERSION);
        r != OK)
        log_printf("RS: no checkpoint area (%s): a new RS would rebuild its table\n",
                   errno_name(r));
    // RS boots in slot RS_PROC_NR with generation 0; any other endpoint
    // means RS started this instance to replace itself.
    if (me.endpoint != RS_PROC_NR) run_new_instance();
    // At RS's endpoint: the boot RS, or a new RS the guardian (RS's signal
    // manager) swapped in after RS died. At boot the guardian still waits
    // for RS to start it (RTS_NO_PRIV); only a running guardian restarts RS.
    if (const endpoint_t g = guardian(); g != NONE) {
        proc_info gi{};
        if (sys_getinfo(GET_PROCINFO, &gi, sizeof gi, g) == OK && gi.priv_id >= 0 &&
            !(gi.rts_flags & RTS_NO_PRIV))
            run_restarted(g);
    }
    sef_setcb_init_fresh(rs_init);
    sef_startup_rs();
    checkpoint();
    serve();
}
