// Whatever runs in a slot is confined from its first instruction, whether it
// cooperates or not: a program that does not link the service library
// (test_intruder) and a host shell each die at their first call that would
// reach outside the slot, reported by syscall name; the call never touches
// the host, the fault reaches the signal manager, and the rest of the system
// goes on serving.
#include <signal.h>
#include <unistd.h>

#include <cstdio>

#include "harness.h"
#include "svc_util.h"

namespace umk_test {
namespace {

using umk::message;
using umk::OK;

// What test_intruder creates if a file call ever got through.
const char kIntruderFile[] = "/tmp/umk-intruder";

class HostileConfine : public HostTest {
  protected:
    // Boots the test signal manager, pong, and `program` in slot 3.
    void boot_with(const std::string& program, const std::string& args) {
        unlink(kIntruderFile);
        boot(
            "proc 0 tsm  program=test_sigmgr sys ipc=all calls=all sigmgr=SELF\n"
            "proc 1 pong program=test_pong sys sigmgr=tsm\n"
            "proc 3 evil program=" +
            program + " sys sigmgr=tsm args=\"" + args +
            "\"\n"
            "client 9 bench sys ipc=all\n");
        evil_ep_ = std::to_string(umk::make_endpoint(0, 3));
    }
    // It died of `sig` at a call named `syscall`, and nobody else did.
    void expect_killed_at(const std::string& syscall, int sig) {
        std::string line;
        EXPECT_TRUE(log.wait_for("evil (slot 3, pid", &line));
        EXPECT_TRUE(log.wait_for("made forbidden syscall", &line));
        EXPECT_NE(line.find("evil (slot 3"), std::string::npos) << line;
        EXPECT_NE(line.find("(" + syscall + ")"), std::string::npos) << line;
        EXPECT_TRUE(
            log.wait_for("tsm: signal " + std::to_string(sig) + " for endpoint " + evil_ep_));
        EXPECT_EQ(log.count("exited with status 0"), 0) << "the call got through";
        EXPECT_NE(access(kIntruderFile, F_OK), 0) << "a host file was written";
        message m{};
        m.m_type = test_svc::PING;
        m.m1_i1 = 7;
        ASSERT_EQ(host->client("bench")->sendrec(ep("pong"), &m), OK);
        EXPECT_EQ(m.m1_i1, 7);
    }
    std::string evil_ep_;
};

struct Escape {
    const char* mode;     // test_intruder's argv[1]
    const char* syscall;  // the name the kernel reports
    int sig;              // what reaches the signal manager
};

class HostileConfineCall : public HostileConfine, public ::testing::WithParamInterface<Escape> {};

TEST_P(HostileConfineCall, KilledAtTheCallReportedByName) {
    boot_with("test_intruder", std::string(GetParam().mode) + " " + std::to_string(getpid()));
    expect_killed_at(GetParam().syscall, GetParam().sig);
}

INSTANTIATE_TEST_SUITE_P(
    Escapes, HostileConfineCall,
    ::testing::Values(
        // Signals to the kernel (the in-process kernel is this test's pid).
        Escape{"kill", "kill", SIGSYS}, Escape{"tgkill", "tgkill", SIGSYS},
        Escape{"tgkill-abrt", "tgkill", SIGSYS}, Escape{"sigqueue", "rt_sigqueueinfo", SIGSYS},
        Escape{"pidfd", "pidfd_open", SIGSYS},
        // The kernel's memory and descriptors through /proc, host files.
        Escape{"proc-mem", "openat", SIGSYS}, Escape{"proc-fd", "openat", SIGSYS},
        Escape{"open", "open", SIGSYS}, Escape{"openat", "openat", SIGSYS},
        Escape{"creat", "creat", SIGSYS}, Escape{"write", "write", SIGSYS},
        // Other processes' memory and limits, tracing.
        Escape{"vm-read", "process_vm_readv", SIGSYS},
        Escape{"vm-write", "process_vm_writev", SIGSYS}, Escape{"prlimit", "prlimit64", SIGSYS},
        Escape{"prlimit-set", "prlimit64", SIGSYS}, Escape{"ptrace", "ptrace", SIGSYS},
        // New code, new memory files, the KernelPage where the futex rule looks.
        Escape{"memfd", "memfd_create", SIGSYS}, Escape{"mmap-exec", "mmap", SIGSYS},
        Escape{"mprotect-exec", "mprotect", SIGSYS}, Escape{"mmap-kpage-as-slot", "mmap", SIGSYS},
        // Another program: execve is refused by the filter; an execveat with
        // an absolute path passes its descriptor check and is killed by the
        // tracer at the exec event, before the new image runs.
        Escape{"execve", "execve", SIGSYS}, Escape{"execveat", "execveat", SIGKILL},
        // The network, new processes.
        Escape{"socket", "socket", SIGSYS}, Escape{"fork", "clone", SIGSYS}),
    [](const auto& info) {
        std::string n;
        for (const char* c = info.param.mode; *c; ++c) n += *c == '-' ? '_' : *c;
        return n;
    });

// A host shell told to write a host file (as root): it is a dynamic
// program, so it dies in its loader at the first file access and never gets
// to the shell.
TEST_F(HostileConfine, ShellCannotWriteAHostFile) {
    boot_with("/bin/sh", std::string("-c echo>") + kIntruderFile);
    std::string line;
    EXPECT_TRUE(log.wait_for("made forbidden syscall", &line));
    EXPECT_NE(line.find("evil (slot 3"), std::string::npos) << line;
    EXPECT_TRUE(log.wait_for("tsm: signal 31 for endpoint " + evil_ep_));
    EXPECT_NE(access(kIntruderFile, F_OK), 0) << "the shell wrote a host file";
    message m{};
    m.m_type = test_svc::PING;
    ASSERT_EQ(host->client("bench")->sendrec(ep("pong"), &m), OK);
}

}  // namespace
}  // namespace umk_test
