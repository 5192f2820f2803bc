// SysHost: RS's operations on the real system, through the service library.
#include "rs_host.h"

#include "umk/com.h"
#include "umk/err.h"
#include "umk/format.h"
#include "umk/priv_flags.h"
#include "umk/proc_flags.h"
#include "umklib/ds.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/pm_proto.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"
#include "umklib/syslib.h"
#include "umklib/vm_proto.h"

namespace umk::rs {
namespace {

// The kernel's process table, for privilege ids (ipc masks).
proc_info proctab[NR_TASKS + NR_PROCS];

message blank() {
    message m{};
    return m;
}

}  // namespace

int SysHost::spawn(const char* program, const char* args, std::size_t args_len, endpoint_t* ep) {
    return sys_spawn(program, args, args_len, ep);
}

int SysHost::set_priv(endpoint_t ep, const priv_args& pa) {
    priv_args copy = pa;  // the kernel reads it from our memory
    return sys_privctl(ep, SYS_PRIV_SET_SYS, &copy);
}

int SysHost::allow(endpoint_t ep) {
    return sys_privctl(ep, SYS_PRIV_ALLOW, nullptr);
}

int SysHost::kill(endpoint_t ep, int sig) {
    return sys_kill(ep, sig);
}

int SysHost::clear(endpoint_t ep) {
    return sys_clear(ep);
}

int SysHost::vm_update(endpoint_t src, endpoint_t dst, bool rollback) {
    // VM's own update: VM cannot swap itself (its old version waits in its
    // ready SENDREC to us, the new one cannot run yet), so RS asks the kernel
    // directly and the new VM swaps its records at init (MINIX srv_update).
    if (src == VM_PROC_NR) return sys_update(src, dst, rollback ? SYS_UPD_ROLLBACK : 0);
    return umk::vm_update(src, dst, rollback ? SYS_UPD_ROLLBACK : 0);
}

int SysHost::update(endpoint_t src, endpoint_t dst, int flags) {
    return sys_update(src, dst, flags);
}

int SysHost::priv_id(endpoint_t ep) {
    int r = sys_getinfo(GET_PROCTAB, proctab, sizeof proctab);
    if (r != OK) return r;
    for (const proc_info& p : proctab)
        if (p.endpoint == ep && !(p.rts_flags & RTS_SLOT_FREE)) return p.priv_id;
    return -ESRCH;
}

bool SysHost::started(endpoint_t ep) {
    proc_info pi{};
    return sys_getinfo(GET_PROCINFO, &pi, sizeof pi, ep) == OK && (pi.misc_flags & MF_STARTED);
}

namespace {

message init_message(int type, int restarts, endpoint_t old_ep, int debug) {
    message m = blank();
    m.m_type = RS_INIT;
    m.RS_INIT_TYPE = type;
    m.RS_INIT_RESTARTS = restarts;
    m.RS_INIT_OLD_ENDPT = old_ep;
    switch (debug) {
        case RS_DEBUG_INIT_CRASH:
            m.RS_INIT_DEBUG = RS_INIT_DEBUG_CRASH;
            break;
        case RS_DEBUG_INIT_FAIL:
            m.RS_INIT_DEBUG = RS_INIT_DEBUG_FAIL;
            break;
        case RS_DEBUG_INIT_TIMEOUT:
            m.RS_INIT_DEBUG = RS_INIT_DEBUG_TIMEOUT;
            break;
        case RS_DEBUG_INIT_FAIL_EARLY:
            m.RS_INIT_DEBUG = RS_INIT_DEBUG_FAIL_EARLY;
            break;
        default:
            m.RS_INIT_DEBUG = 0;
            break;
    }
    return m;
}

}  // namespace

int SysHost::send_init(endpoint_t ep, int type, int restarts, endpoint_t old_ep, int debug,
                       endpoint_t prev_ep, int prev_grant) {
    message m = init_message(type, restarts, old_ep, debug);
    m.RS_INIT_PREV_ENDPT = static_cast<vir_bytes>(prev_grant < 0 ? NONE : prev_ep);
    m.RS_INIT_PREV_GRANT = static_cast<vir_bytes>(prev_grant < 0 ? GRANT_INVALID : prev_grant);
    return asynsend3(ep, &m, AMF_NOREPLY);
}

int SysHost::send_init_self(endpoint_t ep, int debug, int grant, std::size_t len) {
    message m = init_message(SEF_INIT_LU, 0, self_endpoint(), debug);
    m.RS_INIT_STATE_GRANT = grant;
    m.RS_INIT_STATE_LEN = len;
    return asynsend3(ep, &m, AMF_NOREPLY);
}

int SysHost::grant(endpoint_t to, void* addr, std::size_t len) {
    cp_grant_id_t g = cpf_grant_direct(to, vir_addr(addr), len, CPF_READ | CPF_WRITE);
    return g == GRANT_INVALID ? -ENOSPC : g;
}

void SysHost::revoke(int grant) {
    if (grant >= 0) cpf_revoke(grant);
}

int SysHost::copy_from(endpoint_t granter, int grant, std::size_t offset, void* buf,
                       std::size_t len) {
    return sys_safecopyfrom(granter, grant, offset, vir_addr(buf), len);
}

int SysHost::copy_to(endpoint_t granter, int grant, std::size_t offset, const void* buf,
                     std::size_t len) {
    return sys_safecopyto(granter, grant, offset, vir_addr(buf), len);
}

bool SysHost::receiving(endpoint_t ep) {
    proc_info pi{};
    return sys_getinfo(GET_PROCINFO, &pi, sizeof pi, ep) == OK && pi.endpoint == ep &&
           (pi.rts_flags & RTS_RECEIVING) && !(pi.rts_flags & (RTS_SIG_PENDING | RTS_SIGNALED));
}

int SysHost::send_lu_prepare(endpoint_t ep, int state, int maxtime) {
    message m = blank();
    m.m_type = RS_LU_PREPARE;
    m.RS_LU_STATE = state;
    m.RS_LU_PREPARE_MAXTIME = maxtime;
    return asynsend3(ep, &m, AMF_NOREPLY);
}

int SysHost::send_signal(endpoint_t ep, int sig) {
    message m = blank();
    m.m_type = SIGS_SIGNAL_RECEIVED;
    m.SIGS_SIG_NUM = sig;
    return asynsend3(ep, &m, AMF_NOREPLY);
}

int SysHost::ping(endpoint_t ep) {
    return ipc_notify(ep);
}

int SysHost::send_fi(endpoint_t ep) {
    message m = blank();
    m.m_type = RS_FI;
    return asynsend3(ep, &m, AMF_NOREPLY);
}

int SysHost::reply(endpoint_t to, int result, endpoint_t ep_field) {
    message m = blank();
    m.m_type = result;
    m.RS_ENDPOINT = ep_field;
    // The receiver is blocked in SENDREC: never block RS on it.
    int r = ipc_sendnb(to, &m);
    if (r != OK) log_printf("RS: cannot answer %d: %s\n", to, errno_name(r));
    return r;
}

// PM_SPAWN by SENDREC: PM never SENDRECs RS (its answers to RS are
// asynchronous, RS_INIT aside: a PM restarting at that moment makes the
// kernel refuse the cycle with ELOCKED, and RS restarts the service itself).
int SysHost::spawn_user(const char* block, std::size_t len, endpoint_t* ep) {
    cp_grant_id_t g = cpf_grant_direct(PM_PROC_NR, vir_addr(block), len, CPF_READ);
    if (g == GRANT_INVALID) return -ENOSPC;
    message m = blank();
    m.m_type = PM_SPAWN;
    m.PM_ARGS_GRANT = g;
    m.PM_ARGS_LEN = static_cast<std::int32_t>(len);
    int r = ipc_sendrec(PM_PROC_NR, &m);
    cpf_revoke(g);
    if (r != OK) return r;
    if (m.m_type != OK) return m.m_type;
    *ep = m.PM_ENDPT;
    return OK;
}

bool SysHost::running(endpoint_t ep) {
    proc_info pi{};
    return sys_getinfo(GET_PROCINFO, &pi, sizeof pi, ep) == OK && pi.endpoint == ep &&
           !(pi.rts_flags & RTS_SLOT_FREE);
}

// The script is gone, so PM holds it as a zombie: PM_WAIT is answered at once.
int SysHost::reap(endpoint_t ep) {
    message m = blank();
    m.m_type = PM_WAIT;
    m.PM_ENDPT = ep;
    int r = ipc_sendrec(PM_PROC_NR, &m);
    return r != OK ? r : m.m_type;
}

bool SysHost::is_user(endpoint_t ep) {
    proc_info pi{};
    return sys_getinfo(GET_PROCINFO, &pi, sizeof pi, ep) == OK && pi.endpoint == ep &&
           pi.priv_id == USER_PRIV_ID;
}

std::uint32_t SysHost::authority(endpoint_t ep) {
    proc_info pi{};
    if (sys_getinfo(GET_PROCINFO, &pi, sizeof pi, ep) != OK || pi.endpoint != ep) return 0;
    return pi.priv_flags & AUTHORITY_FLAGS;
}

int SysHost::publish_label(const char* label, endpoint_t ep) {
    return ds_publish_label(label, static_cast<std::uint32_t>(ep), DSF_OVERWRITE);
}

int SysHost::delete_label(const char* label) {
    return ds_delete_label(label);
}

clock_t_ SysHost::now() {
    clock_t_ t = 0;
    sys_uptime(&t);
    return t;
}

void SysHost::vlog(const char* fmt, va_list ap) {
    char line[240];
    vformat(line, sizeof line, fmt, ap);
    log_printf("%s\n", line);
}

}  // namespace umk::rs
