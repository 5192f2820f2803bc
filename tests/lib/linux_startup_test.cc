// The Linux part of the service library, on real processes: the startup's
// refusal outside umk, life under the kernel's service filter (installed
// here before the exec, as the kernel's launcher does), and the trap
// protocol on the SlotPage with this test playing the kernel. Every child is
// reaped (and killed first on a timeout).
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "umk/arch/linux.h"
#include "umk/com.h"
#include "umk/err.h"
#include "umk_linux/service_filter.h"

using umk::linux_host::KernelPage;
using umk::linux_host::SlotPage;

namespace {

struct Pages {
    int slot_fd = -1, kernel_fd = -1;
    SlotPage* slot = nullptr;
    KernelPage* kernel = nullptr;
    Pages() {
        slot_fd = memfd_create("slot", MFD_CLOEXEC);
        kernel_fd = memfd_create("kernel", MFD_CLOEXEC);
        EXPECT_EQ(ftruncate(slot_fd, 4096), 0);
        EXPECT_EQ(ftruncate(kernel_fd, 4096), 0);
        slot = static_cast<SlotPage*>(
            mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, slot_fd, 0));
        kernel = static_cast<KernelPage*>(
            mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, kernel_fd, 0));
    }
    ~Pages() {
        munmap(slot, 4096);
        munmap(kernel, 4096);
        close(slot_fd);
        close(kernel_fd);
    }
};

struct Result {
    bool exited = false;
    int code = -1;    // exit status
    int signal = 0;   // terminating signal
    std::string err;  // stderr
};

// What the kernel's launcher does (arch-linux/src/spawn.cc), without the
// clone: the service filter, then execveat of the program's descriptor.
[[noreturn]] void exec_confined(char* const* argv) {
    const int fd = open(PROBE_PATH, O_RDONLY | O_CLOEXEC);
    std::vector<sock_filter> filter;
    if (fd < 0 || dup3(fd, umk::linux_host::EXEC_FD, O_CLOEXEC) < 0 ||
        !umk::linux_host::build_service_filter(getpid(), &filter))
        _exit(126);
    sock_fprog prog{static_cast<unsigned short>(filter.size()), filter.data()};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
        _exit(126);
    syscall(SYS_execveat, umk::linux_host::EXEC_FD, "", argv, environ, AT_EMPTY_PATH);
    _exit(127);
}

enum class Confined { NO, YES };

// Runs the probe with `mode`, confined as under umk unless `confined` is NO
// (a program started by hand). fd3/fd4 < 0: those descriptors are closed.
// `kernel` runs in this process while the probe lives.
Result run_probe(const std::vector<std::string>& args, int fd3, int fd4,
                 const std::function<void(pid_t)>& kernel = nullptr,
                 Confined confined = Confined::YES) {
    int err_pipe[2];
    EXPECT_EQ(pipe2(err_pipe, O_CLOEXEC), 0);
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(err_pipe[1], 2);
        // Put the pages at 3 and 4 (or make sure nothing is there).
        int a = fd3 >= 0 ? fcntl(fd3, F_DUPFD_CLOEXEC, 10) : -1;
        int b = fd4 >= 0 ? fcntl(fd4, F_DUPFD_CLOEXEC, 10) : -1;
        close(3);
        close(4);
        if (a >= 0) dup2(a, 3);
        if (b >= 0) dup2(b, 4);
        std::vector<char*> argv;
        std::string path = PROBE_PATH;
        argv.push_back(path.data());
        std::vector<std::string> copy = args;
        for (auto& s : copy) argv.push_back(s.data());
        argv.push_back(nullptr);
        if (confined == Confined::YES) exec_confined(argv.data());
        execv(PROBE_PATH, argv.data());
        _exit(127);
    }
    close(err_pipe[1]);
    if (kernel) kernel(pid);
    Result res;
    int status = 0;
    // Bounded wait: kill the probe if it hangs.
    for (int i = 0; i < 1000; ++i) {
        if (waitpid(pid, &status, WNOHANG) == pid) break;
        if (i == 999) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            ADD_FAILURE() << "probe hung";
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    char buf[4096];
    ssize_t n;
    while ((n = read(err_pipe[0], buf, sizeof buf)) > 0)
        res.err.append(buf, static_cast<size_t>(n));
    close(err_pipe[0]);
    res.exited = WIFEXITED(status);
    res.code = res.exited ? WEXITSTATUS(status) : -1;
    res.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return res;
}

TEST(LibLinuxStartup, OutsideUmkExitsOneWithAClearMessage) {
    const Result r = run_probe({"exit"}, -1, -1, nullptr, Confined::NO);
    EXPECT_TRUE(r.exited);
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("started outside umk"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("umk kernel"), std::string::npos) << r.err;
}

TEST(LibLinuxStartup, WrongDescriptorsAreRefused) {
    const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    const Result r = run_probe({"exit"}, null_fd, null_fd, nullptr, Confined::NO);
    close(null_fd);
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("is not the slot page"), std::string::npos) << r.err;
}

TEST(LibLinuxStartup, AllowedPathsRunUnderTheFilter) {
    Pages pages;
    EXPECT_EQ(run_probe({"exit"}, pages.slot_fd, pages.kernel_fd).code, 0);
    const Result r = run_probe({"malloc"}, pages.slot_fd, pages.kernel_fd);
    EXPECT_TRUE(r.exited) << "signal " << r.signal;
    EXPECT_EQ(r.code, 0);
}

TEST(LibLinuxStartup, AbortStillEndsInSigabrt) {
    Pages pages;
    const Result r = run_probe({"abort"}, pages.slot_fd, pages.kernel_fd);
    EXPECT_EQ(r.signal, SIGABRT);
}

TEST(LibLinuxStartup, ForbiddenSyscallsTrap) {
    Pages pages;
    EXPECT_EQ(run_probe({"forbidden"}, pages.slot_fd, pages.kernel_fd).signal, SIGSYS);
    EXPECT_EQ(run_probe({"exec-map"}, pages.slot_fd, pages.kernel_fd).signal, SIGSYS);
}

TEST(LibLinuxStartup, SelfEndpointReadsTheSlotPage) {
    Pages pages;
    pages.slot->self = 36565;
    EXPECT_EQ(run_probe({"whoami", "36565"}, pages.slot_fd, pages.kernel_fd).code, 0);
}

// Plays the kernel for one kernel call: waits for the doorbell, checks the
// request, answers GET_UPTIME with 1234 ticks. `late` delays the answer so
// that the service has gone to sleep in FUTEX_WAIT.
void answer_uptime(Pages& pages, std::chrono::milliseconds late) {
    SlotPage* sp = pages.slot;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    // The service publishes call_seq first and rings the doorbell after it: a
    // real kernel wakes on the doorbell, so wait for both (under load the
    // service may be preempted between the two stores).
    while (sp->call_seq.load() == 0 || sp->doorbell.load() == 0) {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no trap";
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    EXPECT_EQ(sp->trap, umk::linux_host::TRAP_KERNEL_CALL);
    EXPECT_EQ(sp->msg.m_type, umk::SYS_GETINFO);
    EXPECT_EQ(sp->msg.I_REQUEST, umk::GET_UPTIME);
    std::this_thread::sleep_for(late);
    if (late.count() > 0) {
        while (!sp->sleeping.load()) {
            ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "service never slept";
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
    }
    sp->msg.m_type = umk::OK;
    sp->msg.m2_l1 = 1234;
    sp->msg.m2_i1 = 60;
    sp->result = umk::OK;
    sp->done_seq.store(sp->call_seq.load());
    if (sp->sleeping.load()) {
        syscall(SYS_futex, reinterpret_cast<uint32_t*>(&sp->done_seq), FUTEX_WAKE, 1, nullptr,
                nullptr, 0);
    }
}

TEST(LibLinuxTrap, KernelCallAnsweredAtOnce) {
    Pages pages;
    const Result r = run_probe({"uptime"}, pages.slot_fd, pages.kernel_fd,
                               [&](pid_t) { answer_uptime(pages, std::chrono::milliseconds(0)); });
    EXPECT_EQ(r.code, 0) << r.err;
}

TEST(LibLinuxTrap, KernelCallAnsweredAfterTheServiceSlept) {
    Pages pages;
    const Result r = run_probe({"uptime"}, pages.slot_fd, pages.kernel_fd,
                               [&](pid_t) { answer_uptime(pages, std::chrono::milliseconds(50)); });
    EXPECT_EQ(r.code, 0) << r.err;
}

}  // namespace
