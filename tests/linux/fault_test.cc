// Crashes, forbidden syscalls and host kills end only the service concerned
// and reach its signal manager.
#include <signal.h>

#include "harness.h"
#include "svc_util.h"

namespace umk_test {
namespace {

using umk::message;
using umk::OK;

const char kConfig[] = R"(
proc 0 tsm   program=test_sigmgr sys ipc=all calls=all sigmgr=SELF
proc 1 pong  program=test_pong sys sigmgr=tsm
proc 3 crash program=test_crash sys sigmgr=tsm args=%s
client 9 bench sys ipc=all
)";

class FaultTest : public HostTest {
  protected:
    void boot_crash(const std::string& mode) {
        char cfg[512];
        std::snprintf(cfg, sizeof cfg, kConfig, mode.c_str());
        boot(cfg);
        // Boot processes have generation 0. (Asking the host could race with
        // the crash: once the slot is cleared its endpoint changes.)
        crash_ep_ = std::to_string(umk::make_endpoint(0, 3));
    }
    // The kernel and the other services still work.
    void expect_others_alive() {
        message m{};
        m.m_type = test_svc::PING;
        m.m1_i1 = 42;
        ASSERT_EQ(host->client("bench")->sendrec(ep("pong"), &m), OK);
        EXPECT_EQ(m.m1_i1, 42);
    }
    const std::string& crash_ep() const { return crash_ep_; }
    std::string crash_ep_;
};

TEST_F(FaultTest, SegfaultReachesSignalManager) {
    boot_crash("segv");
    const std::string e = crash_ep();
    EXPECT_TRUE(log.wait_for("crash (slot 3, pid"));
    EXPECT_TRUE(log.wait_for("caught SIGSEGV"));
    // test_sigmgr got SIGKSIG and SYS_GETKSIG returned SIGSEGV for the endpoint.
    EXPECT_TRUE(log.wait_for("tsm: signal 11 for endpoint " + e));
    EXPECT_TRUE(log.wait_for("tsm: cleared endpoint " + e + ": 0"));
    expect_others_alive();
}

TEST_F(FaultTest, AbortIsReportedAsSigabrt) {
    boot_crash("abort");
    EXPECT_TRUE(log.wait_for("tsm: signal 6 for endpoint " + crash_ep()));
    expect_others_alive();
}

struct Forbidden {
    const char* mode;
    const char* syscall;
};

class ForbiddenSyscallTest : public FaultTest, public ::testing::WithParamInterface<Forbidden> {};

TEST_P(ForbiddenSyscallTest, EndsOnlyThatServiceAndIsReported) {
    boot_crash(GetParam().mode);
    std::string line;
    EXPECT_TRUE(log.wait_for(std::string("made forbidden syscall"), &line));
    EXPECT_NE(line.find(std::string("(") + GetParam().syscall + ")"), std::string::npos) << line;
    EXPECT_TRUE(log.wait_for("tsm: signal 31 for endpoint " + crash_ep()));
    EXPECT_EQ(log.count("crash: " + std::string(GetParam().mode) + " survived"), 0);
    expect_others_alive();
}

INSTANTIATE_TEST_SUITE_P(
    Linux, ForbiddenSyscallTest,
    ::testing::Values(Forbidden{"open", "openat"}, Forbidden{"write", "write"},
                      Forbidden{"socket", "socket"}, Forbidden{"fork", "clone"},
                      Forbidden{"execve", "execve"}, Forbidden{"ptrace", "ptrace"},
                      Forbidden{"mmapexec", "mmap"}, Forbidden{"futex", "futex"},
                      Forbidden{"mprotectexec", "mprotect"}, Forbidden{"memfd", "memfd_create"},
                      Forbidden{"prlimit", "prlimit64"}, Forbidden{"vmread", "process_vm_readv"}),
    [](const auto& info) { return std::string(info.param.mode); });

// The KernelPage (ticks, hz, whether the kernel sleeps) is read-only for
// every service: a service that writes it, directly or after trying to make
// it writable, dies of SIGSEGV and the others go on.
TEST_F(FaultTest, KernelPageIsReadOnly) {
    boot_crash("kpage");
    EXPECT_TRUE(log.wait_for("tsm: signal 11 for endpoint " + crash_ep()));
    EXPECT_EQ(log.count("crash: kpage survived"), 0);
    expect_others_alive();
}

TEST_F(FaultTest, KernelPageCannotBeMadeWritable) {
    boot_crash("kpagerw");
    std::string line;
    ASSERT_TRUE(log.wait_for("crash: mprotect of the kernel page:", &line));
    EXPECT_NE(line.find(": -1"), std::string::npos) << line;
    EXPECT_TRUE(log.wait_for("tsm: signal 11 for endpoint " + crash_ep()));
    EXPECT_EQ(log.count("crash: kpagerw survived"), 0);
    expect_others_alive();
}

// A service that rings its own doorbell without calling cannot keep the
// kernel awake: the kernel stops waiting on that doorbell until the next
// tick (and says so once), and the others are served meanwhile.
TEST_F(FaultTest, DoorbellRingingForNothingIsIgnored) {
    boot_crash("ring");
    EXPECT_TRUE(log.wait_for("rings its doorbell without calling"));
    for (int i = 0; i < 50; ++i) expect_others_alive();
    EXPECT_EQ(log.count("rings its doorbell without calling"), 1);
}

TEST_F(FaultTest, HostKill9IsReportedAsCrash) {
    boot_crash("hang");
    ASSERT_TRUE(log.wait_for("crash: hang now"));
    std::vector<pid_t> pids = children_of(getpid(), "test_crash");
    ASSERT_EQ(pids.size(), 1u);
    kill(pids[0], SIGKILL);
    EXPECT_TRUE(log.wait_for("killed by host signal 9"));
    EXPECT_TRUE(log.wait_for("tsm: signal 9 for endpoint " + crash_ep()));
    expect_others_alive();
}

TEST_F(FaultTest, HostSignalsOtherThanKillAreNotDelivered) {
    boot_crash("hang");
    ASSERT_TRUE(log.wait_for("crash: hang now"));
    std::vector<pid_t> pids = children_of(getpid(), "test_crash");
    ASSERT_EQ(pids.size(), 1u);
    kill(pids[0], SIGTERM);
    EXPECT_TRUE(log.wait_for("host signal 15 suppressed"));
    expect_others_alive();
    EXPECT_TRUE(pid_alive(pids[0]));
}

}  // namespace
}  // namespace umk_test
