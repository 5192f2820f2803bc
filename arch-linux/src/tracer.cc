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

void freeze(Proc& p) {
    ArchProc& a = p.p_arch;
    a.want_frozen = true;
    if (ptrace(PTRACE_INTERRUPT, a.host_pid, nullptr, nullptr) != 0) return;
    while (a.alive && !a.stopped) {
        int status = 0;
        pid_t r = waitpid(a.host_pid, &status, __WALL);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        handle_status(p, status);
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

void reap_dying(bool block) {
    std::vector<pid_t>& dying = host().dying;
    for (std::size_t i = 0; i < dying.size();) {
        const pid_t pid = dying[i];
        int status = 0;
        pid_t r = waitpid(pid, &status, __WALL | (block ? 0 : WNOHANG));
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
