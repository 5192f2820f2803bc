// PM's process table and its process requests: spawn, exit, wait, getpid.
#include "pm.h"

#include "pm_internal.h"
#include "umk/endpoint.h"
#include "umk/err.h"
#include "umk/priv_flags.h"
#include "umk/sig.h"
#include "umk/str.h"
#include "umklib/dev_proto.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/pm_proto.h"
#include "umklib/syslib.h"

namespace umk::pm {

MProc mproc[NR_MPROCS];
Waiter waiters[NR_WAITERS];
int next_pid = 1;
bool dirty = false;

namespace {

MProc* slot_of(endpoint_t ep) {
    if (ep == ANY || ep == NONE || ep == SELF) return nullptr;
    for (MProc& p : mproc) {
        if ((p.flags & MP_IN_USE) && p.endpoint == ep) return &p;
    }
    return nullptr;
}

MProc* free_record() {
    for (MProc& p : mproc) {
        if (!(p.flags & MP_IN_USE)) return &p;
    }
    return nullptr;
}

void free_slot(MProc& p) {
    p = MProc{};
    dirty = true;
}

bool is_child_of(const MProc& p, endpoint_t parent, endpoint_t wanted) {
    return (p.flags & MP_IN_USE) && p.parent == parent && (wanted == ANY || p.endpoint == wanted);
}

void fill_wait_reply(message& m, const MProc& child) {
    m.PM_ENDPT = child.endpoint;
    m.PM_STATUS = child.status;
    m.PM_PID = child.pid;
}

// A child became a zombie: answer a waiting parent, or keep it for a later wait.
void tell_parent(MProc& child) {
    if (child.parent == NONE) {
        free_slot(child);
        return;
    }
    for (Waiter& w : waiters) {
        if (!w.in_use || w.who != child.parent) continue;
        if (w.wait_for != ANY && w.wait_for != child.endpoint) continue;
        message reply{};
        reply.m_type = OK;
        fill_wait_reply(reply, child);
        const endpoint_t who = w.who;
        w = Waiter{};
        dirty = true;
        int r = ipc_sendnb(who, &reply);
        if (r != OK) log_printf("pm: cannot answer the wait of %d: %d\n", who, r);
        free_slot(child);
        return;
    }
}

}  // namespace

// devman closes the files the process left open (no reply; devman may be absent).
void exit_files(endpoint_t ep) {
    message note{};
    note.m_type = DEVMAN_PROC_EXIT;
    note.DEVMAN_EXIT_ENDPT = ep;
    asynsend3(DEVMAN_PROC_NR, &note, AMF_NOREPLY);
}

endpoint_t pm_self = NONE;
endpoint_t rs_endpoint = NONE;

void pm_init(endpoint_t self, endpoint_t rs) {
    for (MProc& p : mproc) p = MProc{};
    for (Waiter& w : waiters) w = Waiter{};
    pm_self = self;
    rs_endpoint = rs;
    next_pid = 1;
    dirty = false;
}

const MProc* lookup(endpoint_t ep) {
    return slot_of(ep);
}

const MProc* user_process(endpoint_t ep) {
    const MProc* p = slot_of(ep);
    return p && !(p->flags & MP_ZOMBIE) ? p : nullptr;
}

MProc* live_user(endpoint_t ep) {
    MProc* p = slot_of(ep);
    return p && !(p->flags & MP_ZOMBIE) ? p : nullptr;
}

void exit_proc(MProc& p, int status) {
    int r = sys_clear(p.endpoint);
    if (r != OK) log_printf("pm: sys_clear(%d) failed: %d\n", p.endpoint, r);
    p.flags |= MP_ZOMBIE;
    p.status = status;
    dirty = true;
    // Its children become orphans; its zombie children are reaped now.
    for (MProc& c : mproc) {
        if (!(c.flags & MP_IN_USE) || c.parent != p.endpoint) continue;
        if (c.flags & MP_ZOMBIE)
            free_slot(c);
        else
            c.parent = NONE;
    }
    exit_files(p.endpoint);
    // A waiter that was this process itself will never be answered.
    for (Waiter& w : waiters) {
        if (w.in_use && w.who == p.endpoint) w = Waiter{};
    }
    tell_parent(p);
}

namespace {

// The program and its arguments: inline (program only), or the block
// "program\0arg\0..." behind the caller's grant. OK, or an error.
int spawn_request(const message& m, char* block, std::size_t* args_at, std::size_t* len) {
    std::int32_t n = m.PM_ARGS_LEN;
    if (n < 0) return -EINVAL;
    if (n == 0) {
        if (str::nlen(m.PM_PROGRAM, sizeof m.PM_PROGRAM) == sizeof m.PM_PROGRAM) return -EINVAL;
        str::copy(block, m.PM_PROGRAM, sizeof m.PM_PROGRAM);
        *args_at = *len = str::len(block) + 1;
        return block[0] ? OK : -EINVAL;
    }
    if (n > PM_ARGS_MAX) return -E2BIG;
    int r = sys_safecopyfrom(m.m_source, m.PM_ARGS_GRANT, 0, vir_addr(block),
                             static_cast<std::size_t>(n));
    if (r != OK) return r;
    if (block[n - 1] != '\0') return -EINVAL;  // every string ends in a NUL
    *args_at = str::len(block) + 1;
    *len = static_cast<std::size_t>(n);
    return block[0] ? OK : -EINVAL;
}

// The child shares the parent's open files (MINIX: PM tells VFS of the fork
// before the child runs). SENDREC is safe: devman never calls PM. A system
// without devman has no files to share.
int tell_devman_of_fork(endpoint_t parent, endpoint_t child) {
    message m{};
    m.m_type = DEVMAN_FORK;
    m.DEVMAN_FORK_PARENT = parent;
    m.DEVMAN_FORK_CHILD = child;
    // A devman crash answers ERESTART: ask its replica again (a second
    // DEVMAN_FORK for the same child replaces its table). Without a devman
    // at all (a boot image without one) there are no files to give.
    int r = dev_call(&m);
    if (r == -ERESTART) return r;
    if (r != OK) return OK;
    return m.m_type;
}

}  // namespace

// Who may have PM spawn what: a caller with SPAWN_PROGRAMS (RS for its
// recovery scripts, the control proxy for `umk cat`) a program of the
// program directory, i.e. a name without '/'; a path only with
// SPAWN_ANY_PATH, which only the administrator's path (the control proxy)
// has. The kernel keeps the flags with the caller's privileges.
int check_spawn(endpoint_t caller, const char* program) {
    proc_info pi{};
    const std::uint32_t flags =
        sys_getinfo(GET_PROCINFO, &pi, sizeof pi, caller) == OK && pi.endpoint == caller
            ? pi.priv_flags
            : 0;
    const bool path = str::base_name(program) != program;  // a '/' in it
    if ((flags & SPAWN_PROGRAMS) && (!path || (flags & SPAWN_ANY_PATH))) return OK;
    log_printf("pm: %d may not spawn %s (EPERM): %s\n", caller, program,
               !(flags & SPAWN_PROGRAMS)
                   ? "it may not spawn programs (system.conf `authority SPAWN`)"
                   : "only the administrator names a path outside the program directory");
    return -EPERM;
}

int do_spawn(message& m) {
    static char block[PM_ARGS_MAX + 1];
    std::size_t args_at = 0, len = 0;
    int r = spawn_request(m, block, &args_at, &len);
    if (r != OK) return r;
    const char* program = block;
    if ((r = check_spawn(m.m_source, program)) != OK) return r;

    MProc* p = free_record();
    if (!p) {
        log_printf("pm: process table full (unreaped zombies?): cannot spawn %s\n", program);
        return -EAGAIN;
    }
    endpoint_t ep = NONE;
    r = sys_spawn(program, len > args_at ? block + args_at : nullptr, len - args_at, &ep);
    if (r != OK) return r;
    // A user process: the shared user privileges, PM as signal manager.
    if ((r = sys_privctl(ep, SYS_PRIV_SET_USER)) != OK) {
        log_printf("pm: cannot make %s a user process: %d\n", program, r);
        sys_clear(ep);
        return r;
    }
    if ((r = tell_devman_of_fork(m.m_source, ep)) != OK) {
        log_printf("pm: devman cannot give %s its files: %d\n", program, r);
        sys_clear(ep);
        return r;
    }
    *p = MProc{};
    p->flags = MP_IN_USE;
    p->endpoint = ep;
    p->parent = m.m_source;
    p->pid = next_pid++;
    str::copy(p->name, program, sizeof p->name);
    dirty = true;
    if ((r = sys_privctl(ep, SYS_PRIV_ALLOW)) != OK) {
        log_printf("pm: cannot let %s run: %d\n", program, r);
        sys_clear(ep);
        exit_files(ep);
        free_slot(*p);
        return r;
    }
    m.PM_ENDPT = ep;
    m.PM_PID = p->pid;
    return OK;
}

int do_exit(message& m) {
    MProc* p = live_user(m.m_source);
    if (!p) {
        // A system process must exit through its signal manager (MINIX: SIGKILL).
        sys_kill(m.m_source, SIGKILL);
        return -EDONTREPLY;
    }
    exit_proc(*p, pm_exit_status(m.PM_STATUS));
    return -EDONTREPLY;
}

int do_wait(message& m) {
    endpoint_t who = m.m_source;
    endpoint_t wanted = m.PM_ENDPT;
    bool any_child = false;
    for (MProc& c : mproc) {
        if (!is_child_of(c, who, wanted)) continue;
        any_child = true;
        if (c.flags & MP_ZOMBIE) {
            fill_wait_reply(m, c);
            free_slot(c);
            return OK;
        }
    }
    if (!any_child) return -ESRCH;  // ECHILD
    for (Waiter& w : waiters) {
        if (w.in_use) continue;
        w = Waiter{true, who, wanted};
        dirty = true;
        return -EDONTREPLY;
    }
    return -EAGAIN;
}

int do_getpid(message& m) {
    const MProc* p = user_process(m.m_source);
    if (!p) return -ESRCH;
    m.PM_PID = p->pid;
    return p->pid;
}

int handle_request(message& m) {
    if (is_notify(m.m_type)) return -EDONTREPLY;
    switch (m.m_type) {
        case PM_SPAWN:
            return do_spawn(m);
        case PM_EXIT:
            return do_exit(m);
        case PM_WAIT:
            return do_wait(m);
        case PM_KILL:
            return do_kill(m);
        case PM_SRV_KILL:
            return do_srv_kill(m);
        case PM_GETPID:
            return do_getpid(m);
        default:
            log_printf("pm: unknown request %d from %d\n", m.m_type, m.m_source);
            return -ENOSYS;
    }
}

}  // namespace umk::pm
