// ptrace and wait: freezing and resuming host processes, and turning what
// the host observes (forbidden syscalls, crashes, exits, kill -9) into
// proc_fault for the core. No child signal is ever delivered, except
// SIGKILL, which ptrace cannot stop.
// umk/sig.h first: <signal.h> defines an NSIG macro that would clash.
#include "umk/sig.h"

#include <seccomp.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "host_state.h"
#include "umk/kernel.h"

namespace umk::linux_host {

namespace {

bool is_fault_signal(int sig) {
    return sig == SIGSYS || sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
           sig == SIGABRT || sig == SIGTRAP;
}

void cont(pid_t pid, int sig = 0) {
    ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig)));
}

void report_syscall(Proc& p, pid_t pid) {
    siginfo_t si{};
    if (ptrace(PTRACE_GETSIGINFO, pid, nullptr, &si) == 0 && si.si_code == 1 /* SYS_SECCOMP */) {
        int nr = si.si_syscall;
        char* name = seccomp_syscall_resolve_num_arch(si.si_arch, nr);
        hlog("umk: %s (slot %d, pid %d) made forbidden syscall %d (%s)", p.p_name, p.p_nr, pid, nr,
             name ? name : "?");
        free(name);
    } else {
        hlog("umk: %s (slot %d, pid %d) got SIGSYS", p.p_name, p.p_nr, pid);
    }
}

}  // namespace

Proc* proc_by_pid(pid_t pid) {
    for (Proc& p : proc_table)
        if (p.p_arch.kind == ArchKind::HOST && p.p_arch.host_pid == pid && p.p_arch.alive)
            return &p;
    return nullptr;
}

void handle_status(Proc& p, int status) {
    ArchProc& a = p.p_arch;
    pid_t pid = a.host_pid;
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
        a.alive = false;
        a.stopped = false;
        int sig = WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL;
        if (WIFSIGNALED(status))
            hlog("umk: %s (slot %d, pid %d) killed by host signal %d", p.p_name, p.p_nr, pid, sig);
        else
            hlog("umk: %s (slot %d, pid %d) exited with status %d", p.p_name, p.p_nr, pid,
                 WEXITSTATUS(status));
        host().faults.push_back({pid, sig, true});
        host().scan.reset(table_index(p));
        launch_done(pid);
        return;
    }
    if (!WIFSTOPPED(status)) return;
    int sig = WSTOPSIG(status);
    int event = status >> 16;
    if (event == PTRACE_EVENT_EXIT) {
        cont(pid);  // let it finish; the exit itself is reported by wait
        return;
    }
    if (event == PTRACE_EVENT_EXEC) {
        // The exec exception is exactly one exec, the launcher's. Any other
        // (an execveat with an absolute path ignores the descriptor the
        // filter checks) is killed here, before the new image has run one
        // instruction; its exit reaches the signal manager as SIGKILL.
        if (++a.execs > 1) {
            hlog(
                "umk: %s (slot %d, pid %d) made forbidden syscall %d (execveat): a second exec, "
                "killed",
                p.p_name, p.p_nr, pid, SYS_execveat);
            kill(pid, SIGKILL);
            return;
        }
        cont(pid);
        return;
    }
    if (event == PTRACE_EVENT_STOP) {
        // Our PTRACE_INTERRUPT, or a group-stop from a host SIGSTOP.
        a.stop_deadline_ns = 0;  // the stop asked for (if any) has come
        if (a.want_frozen) {
            a.stopped = true;
        } else {
            cont(pid);
        }
        return;
    }
    if (event != 0) {  // any other event: not asked for
        cont(pid);
        return;
    }
    // Signal-delivery stop: the signal is never delivered.
    if (is_fault_signal(sig) && a.fault_sig == 0) {
        if (sig == SIGSYS)
            report_syscall(p, pid);
        else
            hlog("umk: %s (slot %d, pid %d) caught %s", p.p_name, p.p_nr, pid, sig_name(sig));
        a.stopped = true;
        a.fault_sig = sig;
        host().faults.push_back({pid, sig, false});
        host().scan.reset(table_index(p));
        return;
    }
    if (a.fault_sig != 0) {  // already frozen for a fault: stay so
        a.stopped = true;
        return;
    }
    if (sig != SIGCHLD && sig != SIGSTOP)
        hlog("umk: %s (slot %d, pid %d): host signal %d suppressed", p.p_name, p.p_nr, pid, sig);
    if (a.want_frozen)
        a.stopped = true;
    else
        cont(pid);
}

void reap_events() {
    // One waitpid per traced child: a host that runs inside a test or a
    // benchmark must not reap children that are not its own.
    reap_dying(false);
    for (Proc& p : proc_table) {
        if (p.p_arch.kind != ArchKind::HOST || !p.p_arch.alive) continue;
        for (int i = 0; i < 16 && p.p_arch.alive; ++i) {
            int status = 0;
            pid_t r = waitpid(p.p_arch.host_pid, &status, WNOHANG | __WALL);
            if (r <= 0) break;
            handle_status(p, status);
        }
    }
}

// A host process normally enters the stop within microseconds. One that has
// not after this long is not under the kernel's control (frozen by the host's
// cgroup freezer, stuck in an uninterruptible sleep): it is treated as hung.
constexpr std::int64_t STOP_DEADLINE_NS = 2'000'000'000;

// Asynchronous: the kernel thread never waits for a service. The stop is
// observed later through SIGCHLD (reap_events, handle_status). Until then the
// process may still run its own code, but nothing it asks is consumed: it is
// not runnable, so its doorbell is not scanned (update_scan_bit).
void freeze(Proc& p) {
    ArchProc& a = p.p_arch;
    a.want_frozen = true;
    if (a.stop_deadline_ns != 0) return;  // asked already
    if (ptrace(PTRACE_INTERRUPT, a.host_pid, nullptr, nullptr) != 0) return;
    a.stop_deadline_ns = now_ns() + STOP_DEADLINE_NS;
}

// A process that cannot be stopped cannot be trusted to be stopped: it is
// killed and the core told at once that it is gone (so RS can restart it),
// without waiting for the host to end it. SIGKILL ends a member of a frozen
// cgroup v2 at once; one frozen by the v1 freezer dies only when thawed, and
// is reaped then (dying).
void check_stop_deadlines() {
    const std::int64_t now = now_ns();
    for (Proc& p : proc_table) {
        ArchProc& a = p.p_arch;
        if (a.kind != ArchKind::HOST || !a.alive || a.stop_deadline_ns == 0) continue;
        if (a.stopped || !a.want_frozen) {
            a.stop_deadline_ns = 0;
            continue;
        }
        if (now < a.stop_deadline_ns) continue;
        hlog(
            "umk: %s (slot %d, pid %d) did not stop within %lld ms (frozen by the host?): "
            "killed as hung",
            p.p_name, p.p_nr, a.host_pid, static_cast<long long>(STOP_DEADLINE_NS / 1000000));
        a.stop_deadline_ns = 0;
        host().faults.push_back({a.host_pid, SIGKILL, true});
        kill_and_reap(p);
    }
}

void resume(Proc& p) {
    ArchProc& a = p.p_arch;
    if (!a.alive || !a.stopped) return;
    if (a.fault_sig != 0) {
        // A fatal fault cannot be continued: the instruction would fault
        // again (or the forbidden syscall return garbage). End it; the exit
        // is reported as SIGKILL.
        hlog("umk: %s (slot %d, pid %d) resumed after %s: killed", p.p_name, p.p_nr, a.host_pid,
             sig_name(a.fault_sig));
        kill(a.host_pid, SIGKILL);
        return;
    }
    a.stopped = false;
    a.stop_deadline_ns = 0;  // a later freeze asks anew (a late stop is continued)
    cont(a.host_pid);
}

void kill_and_reap(Proc& p) {
    ArchProc& a = p.p_arch;
    if (!a.alive || a.host_pid <= 0) return;
    // SIGKILL ends it for good (it never runs its own code again), but its
    // exit takes the host a while (0.2-0.3 ms measured, tearing down its
    // memory): the kernel thread does not wait for it. The loop reaps it on
    // its SIGCHLD (reap_events), shutdown waits for it (reap_dying). Woken
    // by the SIGKILL at normal priority, the exit would preempt the kernel
    // thread (or a service) on a busy machine: it runs at the lowest.
    setpriority(PRIO_PROCESS, static_cast<id_t>(a.host_pid), 19);
    kill(a.host_pid, SIGKILL);
    host().dying.push_back(a.host_pid);
    a.alive = false;
    a.stopped = false;
    host().scan.reset(table_index(p));
    reap_dying(false);
}

// Shutdown waits for the killed children, but not for ever: one the host
// keeps from dying (frozen by the v1 cgroup freezer) is left after this; it
// dies when thawed (PTRACE_O_EXITKILL and its SIGKILL are already there).
constexpr std::int64_t REAP_DEADLINE_NS = 5'000'000'000;

void reap_dying(bool block) {
    std::vector<pid_t>& dying = host().dying;
    const std::int64_t give_up = now_ns() + REAP_DEADLINE_NS;
    while (!dying.empty()) {
        for (std::size_t i = 0; i < dying.size();) {
            const pid_t pid = dying[i];
            int status = 0;
            pid_t r = waitpid(pid, &status, __WALL | WNOHANG);
            if (r < 0 && errno == EINTR) continue;
            if (r == 0) {  // still dying
                ++i;
                continue;
            }
            if (r == pid && WIFSTOPPED(status)) {  // an exit stop on the way out
                cont(pid);
                continue;
            }
            // Exited, or not ours to wait for any more (r < 0): forget it.
            dying.erase(dying.begin() + static_cast<std::ptrdiff_t>(i));
            launch_done(pid);
        }
        if (!block || dying.empty()) return;
        if (now_ns() >= give_up) {
            for (pid_t pid : dying)
                hlog("umk: pid %d did not die within %lld ms (frozen by the host?): left behind",
                     pid, static_cast<long long>(REAP_DEADLINE_NS / 1000000));
            return;
        }
        usleep(1000);
    }
}

void report_faults() {
    HostState& h = host();
    while (!h.faults.empty()) {
        std::vector<PendingFault> batch;
        batch.swap(h.faults);
        for (const PendingFault& f : batch) {
            // Find the slot by pid: a sys_update may have moved the process.
            for (Proc& p : proc_table) {
                if (p.p_arch.kind != ArchKind::HOST || p.p_arch.host_pid != f.pid) continue;
                if (proc_is_free(p)) break;
                proc_fault(p, f.sig, f.gone);
                break;
            }
        }
    }
}

}  // namespace umk::linux_host
