// BM_PtraceTrap: the gVisor-ptrace / UML way of hosting a kernel on Linux,
// as a baseline for the umk trap. The child makes a system call; the
// tracer catches it at syscall entry with PTRACE_SYSEMU (so the host never
// runs it), reads the registers, writes the emulated result and resumes
// the child, which goes straight into its next system call. One iteration
// = one trapped system call: resume -> trap -> waitpid -> GETREGS ->
// SETREGS, the minimum a ptrace-based kernel does per guest call.
#include <benchmark/benchmark.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "common/child.h"
#include "common/cpu_time.h"

namespace umk::bench {
namespace {

// The child: offer itself to the parent, then trap forever.
int trap_forever() {
    if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) return 1;
    raise(SIGSTOP);
    while (true) syscall(SYS_getpid);
}

// Waits for the next stop of a tracee; false if it died or stopped for
// something else than `want`.
bool wait_stop(pid_t pid, int want) {
    int status = 0;
    pid_t r;
    do {
        r = waitpid(pid, &status, __WALL);
    } while (r < 0 && errno == EINTR);
    return r == pid && WIFSTOPPED(status) && WSTOPSIG(status) == want;
}

void BM_PtraceTrap(benchmark::State& state) {
    ChildProcess child(trap_forever);
    if (!child.started()) {
        state.SkipWithError(child.error().c_str());
        return;
    }
    if (!wait_stop(child.pid(), SIGSTOP) ||
        ptrace(PTRACE_SETOPTIONS, child.pid(), nullptr,
               reinterpret_cast<void*>(PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD)) != 0) {
        state.SkipWithError("could not trace the child (ptrace restricted?)");
        return;
    }
    const pid_t pid = child.pid();
    const auto parties = self_and({pid});
    const std::uint64_t cpu_before = cpu_ns(parties);
    for (auto _ : state) {
        user_regs_struct regs;
        if (ptrace(PTRACE_SYSEMU, pid, nullptr, nullptr) != 0 || !wait_stop(pid, SIGTRAP | 0x80) ||
            ptrace(PTRACE_GETREGS, pid, nullptr, &regs) != 0) {
            state.SkipWithError("the traced child stopped trapping");
            break;
        }
        regs.rax = static_cast<unsigned long long>(pid);  // the emulated getpid() result
        if (ptrace(PTRACE_SETREGS, pid, nullptr, &regs) != 0) {
            state.SkipWithError("PTRACE_SETREGS failed");
            break;
        }
    }
    report_cpu(state, cpu_ns(parties) - cpu_before);
    child.kill_and_reap();
    state.SetItemsProcessed(state.iterations());
    state.SetLabel("trapped syscalls");
}
BENCHMARK(BM_PtraceTrap)->UseRealTime();

}  // namespace
}  // namespace umk::bench
