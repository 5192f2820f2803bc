// PM (reference section 12): spawning user processes, exit and wait, and
// signal routing - users through PM, system processes through the kernel
// to their own manager, PM as manager of a system process.
// umk/sig.h first: the host <signal.h> (pulled in by gtest) defines NSIG as a macro.
#include "umk/sig.h"
// clang-format off
#include <gtest/gtest.h>
// clang-format on

#include <cstring>
#include <string>

#include "fake_sys.h"
#include "pm.h"
#include "umk/err.h"
#include "umk/priv_flags.h"
#include "umklib/dev_proto.h"
#include "umklib/ipc.h"
#include "umklib/pm_proto.h"
#include "umklib/rs_proto.h"

namespace {

using namespace umk;

constexpr endpoint_t RS = 2;
constexpr endpoint_t TESTER = 30;   // a system process (test service)
constexpr endpoint_t SYSPROC = 31;  // another system process
constexpr int GEN = 36558;

class Pm : public ::testing::Test {
  protected:
    void SetUp() override {
        fake::reset();
        pm::pm_init(PM_PROC_NR, RS);
        fake::route(PM_PROC_NR, [](message& m) { return pm::handle_request(m); });
        next_slot = 60;
        fake::on_sys_spawn = [this](const char*, endpoint_t* ep) {
            *ep = make_endpoint(1, next_slot++);
            return OK;
        };
        fake::set_self(TESTER);
    }

    int call(endpoint_t as, message& m) {
        fake::set_self(as);
        int r = ipc_sendrec(PM_PROC_NR, &m);
        fake::set_self(TESTER);
        return r == OK ? m.m_type : r;
    }
    endpoint_t spawn(endpoint_t as, const char* prog = "user_prog") {
        message m{};
        m.m_type = PM_SPAWN;
        std::strncpy(m.PM_PROGRAM, prog, sizeof m.PM_PROGRAM - 1);
        EXPECT_EQ(call(as, m), OK);
        return m.PM_ENDPT;
    }
    int kill(endpoint_t as, endpoint_t target, int sig) {
        message m{};
        m.m_type = PM_KILL;
        m.PM_ENDPT = target;
        m.PM_SIG = sig;
        return call(as, m);
    }
    int exit(endpoint_t as, int code) {
        message m{};
        m.m_type = PM_EXIT;
        m.PM_STATUS = code;
        return call(as, m);
    }
    int wait(endpoint_t as, endpoint_t child, message* out = nullptr) {
        message m{};
        m.m_type = PM_WAIT;
        m.PM_ENDPT = child;
        int r = call(as, m);
        if (out) *out = m;
        return r;
    }
    static bool kcall(const std::string& s) {
        for (auto& k : fake::kcalls())
            if (k == s) return true;
        return false;
    }
    int next_slot = 60;
};

TEST_F(Pm, SpawnMakesAUserProcessAndLetsItRun) {
    endpoint_t child = spawn(TESTER);
    EXPECT_EQ(child, make_endpoint(1, 60));
    ASSERT_EQ(fake::kcalls().size(), 3u);
    EXPECT_EQ(fake::kcalls()[0], "sys_spawn user_prog");
    EXPECT_EQ(fake::kcalls()[1], "sys_privctl " + std::to_string(child) + " 4");  // SET_USER
    EXPECT_EQ(fake::kcalls()[2], "sys_privctl " + std::to_string(child) + " 1");  // ALLOW
    const pm::MProc* p = pm::user_process(child);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->parent, TESTER);
    EXPECT_EQ(p->pid, 1);
}

TEST_F(Pm, SpawnFailuresLeaveNothingBehind) {
    fake::on_sys_spawn = [](const char*, endpoint_t*) { return -ENOENT; };
    message m{};
    m.m_type = PM_SPAWN;
    std::strcpy(m.PM_PROGRAM, "nosuch");
    EXPECT_EQ(call(TESTER, m), -ENOENT);

    fake::on_sys_spawn = [](const char*, endpoint_t* ep) {
        *ep = 70;
        return OK;
    };
    fake::on_sys_privctl = [](endpoint_t, int) { return -EPERM; };
    m.m_type = PM_SPAWN;
    EXPECT_EQ(call(TESTER, m), -EPERM);
    EXPECT_TRUE(kcall("sys_clear 70"));
    EXPECT_EQ(pm::lookup(70), nullptr);

    m.m_type = PM_SPAWN;
    std::memset(m.PM_PROGRAM, 'x', sizeof m.PM_PROGRAM);  // no NUL
    EXPECT_EQ(call(TESTER, m), -EINVAL);
}

// A system process grants PM the block "program\0arg\0..."; PM passes the
// arguments on to the kernel.
TEST_F(Pm, SpawnWithArguments) {
    static const char block[] = "cat\0/dev/hello\0two words";  // + the final NUL
    cp_grant_id_t g = cpf_grant_direct(PM_PROC_NR, vir_addr(block), sizeof block, CPF_READ);
    message m{};
    m.m_type = PM_SPAWN;
    m.PM_ARGS_GRANT = g;
    m.PM_ARGS_LEN = sizeof block;
    ASSERT_EQ(call(TESTER, m), OK);
    EXPECT_EQ(fake::kcalls()[0], "sys_spawn cat args=/dev/hello|two words|");
    EXPECT_STREQ(pm::user_process(m.PM_ENDPT)->name, "cat");
    // The program alone.
    static const char alone[] = "cat";
    g = cpf_grant_direct(PM_PROC_NR, vir_addr(alone), sizeof alone, CPF_READ);
    m = message{};
    m.m_type = PM_SPAWN;
    m.PM_ARGS_GRANT = g;
    m.PM_ARGS_LEN = sizeof alone;
    ASSERT_EQ(call(TESTER, m), OK);
    EXPECT_EQ(fake::kcalls().back(), "sys_privctl " + std::to_string(m.PM_ENDPT) + " 1");
    EXPECT_TRUE(kcall("sys_spawn cat"));
}

TEST_F(Pm, SpawnArgumentErrors) {
    static const char no_nul[] = {'c', 'a', 't'};
    static const char empty[] = "\0arg";
    static char big[PM_ARGS_MAX + 1] = "cat";
    auto try_block = [this](const void* at, int len, int access = CPF_READ) {
        message m{};
        m.m_type = PM_SPAWN;
        m.PM_ARGS_GRANT = cpf_grant_direct(PM_PROC_NR, vir_addr(at), len, access);
        m.PM_ARGS_LEN = len;
        return call(TESTER, m);
    };
    EXPECT_EQ(try_block(no_nul, sizeof no_nul), -EINVAL);
    EXPECT_EQ(try_block(empty, sizeof empty), -EINVAL);
    EXPECT_EQ(try_block(big, sizeof big), -E2BIG);
    EXPECT_EQ(try_block("cat", 4, CPF_WRITE), -EPERM);  // PM may not read it
    message m{};
    m.m_type = PM_SPAWN;
    m.PM_ARGS_LEN = -1;
    EXPECT_EQ(call(TESTER, m), -EINVAL);
    for (const auto& k : fake::kcalls()) EXPECT_NE(k.rfind("sys_spawn", 0), 0u) << k;
}

// Before the child runs, devman copies the caller's descriptors into it.
TEST_F(Pm, DevmanGivesTheChildItsParentsFilesBeforeItRuns) {
    message seen{};
    std::size_t kcalls_then = 0;
    fake::route(DEVMAN_PROC_NR, [&](message& m) {
        seen = m;
        kcalls_then = fake::kcalls().size();
        return OK;
    });
    endpoint_t child = spawn(TESTER);
    EXPECT_EQ(seen.m_type, DEVMAN_FORK);
    EXPECT_EQ(seen.m_source, PM_PROC_NR);
    EXPECT_EQ(seen.DEVMAN_FORK_PARENT, TESTER);
    EXPECT_EQ(seen.DEVMAN_FORK_CHILD, child);
    EXPECT_EQ(kcalls_then, 2u);  // after SET_USER, before ALLOW
    // devman refuses (its tables are full): no child.
    fake::route(DEVMAN_PROC_NR, [](message&) { return -EAGAIN; });
    message m{};
    m.m_type = PM_SPAWN;
    std::strcpy(m.PM_PROGRAM, "user_prog");
    EXPECT_EQ(call(TESTER, m), -EAGAIN);
    endpoint_t refused = make_endpoint(1, next_slot - 1);
    EXPECT_TRUE(kcall("sys_clear " + std::to_string(refused)));
    EXPECT_EQ(pm::lookup(refused), nullptr);
}

TEST_F(Pm, ExitThenWait) {
    endpoint_t child = spawn(TESTER);
    EXPECT_EQ(exit(child, 3), -ELOCKED);  // no reply: the process is gone
    EXPECT_TRUE(kcall("sys_clear " + std::to_string(child)));
    message r{};
    EXPECT_EQ(wait(TESTER, ANY, &r), OK);
    EXPECT_EQ(r.PM_ENDPT, child);
    EXPECT_TRUE(pm_exited(r.PM_STATUS));
    EXPECT_EQ(pm_exit_code(r.PM_STATUS), 3);
    EXPECT_EQ(pm::lookup(child), nullptr);  // reaped
    EXPECT_EQ(wait(TESTER, ANY), -ESRCH);   // no children left
}

TEST_F(Pm, WaitBeforeExitIsAnsweredAtExit) {
    endpoint_t child = spawn(TESTER);
    EXPECT_EQ(wait(TESTER, child), -ELOCKED);  // suspended
    EXPECT_TRUE(fake::sent().empty());
    exit(child, 7);
    ASSERT_EQ(fake::sent().size(), 2u);  // devman's exit notice, then the wait's answer
    const auto& s = fake::sent()[1];
    EXPECT_EQ(s.to, TESTER);
    EXPECT_EQ(s.m.m_type, OK);
    EXPECT_EQ(s.m.PM_ENDPT, child);
    EXPECT_EQ(pm_exit_code(s.m.PM_STATUS), 7);
}

TEST_F(Pm, DevmanHearsOfEveryUserExit) {
    endpoint_t child = spawn(TESTER);
    exit(child, 0);
    ASSERT_EQ(fake::sent().size(), 1u);
    EXPECT_EQ(fake::sent()[0].to, DEVMAN_PROC_NR);
    EXPECT_TRUE(fake::sent()[0].async);
    EXPECT_EQ(fake::sent()[0].m.m_type, DEVMAN_PROC_EXIT);
    EXPECT_EQ(fake::sent()[0].m.DEVMAN_EXIT_ENDPT, child);
}

TEST_F(Pm, WaitForSomeoneElsesChildIsESRCH) {
    endpoint_t child = spawn(TESTER);
    EXPECT_EQ(wait(SYSPROC, child), -ESRCH);
    EXPECT_EQ(wait(SYSPROC, ANY), -ESRCH);
}

TEST_F(Pm, AZombieOutlivesItsSlot) {
    fake::on_sys_spawn = [this](const char*, endpoint_t* ep) {
        *ep = make_endpoint(next_slot, 60);  // the kernel reuses slot 60
        next_slot++;
        return OK;
    };
    endpoint_t a = spawn(TESTER);
    exit(a, 5);  // a zombie: TESTER has not waited yet
    endpoint_t b = spawn(TESTER);
    ASSERT_NE(b, NONE);
    EXPECT_EQ(endpoint_slot(b), endpoint_slot(a));
    message r{};
    EXPECT_EQ(wait(TESTER, a, &r), OK);
    EXPECT_EQ(pm_exit_code(r.PM_STATUS), 5);
    EXPECT_NE(pm::user_process(b), nullptr);
}

TEST_F(Pm, OrphansAreReapedAtExit) {
    endpoint_t parent = spawn(TESTER);
    endpoint_t child = spawn(parent);
    exit(parent, 0);
    EXPECT_EQ(pm::user_process(child)->parent, NONE);
    exit(child, 0);
    EXPECT_EQ(pm::lookup(child), nullptr);
}

// ---- Signals ----

TEST_F(Pm, AUsersKillGoesThroughTheKernelAndComesBackToPm) {
    endpoint_t a = spawn(TESTER);
    endpoint_t b = spawn(TESTER);
    EXPECT_EQ(kill(a, b, SIGTERM), OK);
    EXPECT_TRUE(kcall("sys_kill " + std::to_string(b) + " 15"));
    EXPECT_NE(pm::user_process(b), nullptr);  // nothing happens until the kernel routes it
    // The kernel raised it; PM is b's manager (SEF calls the callback).
    EXPECT_EQ(pm::sig_manager(b, SIGTERM), -EDEADSRCDST);
    EXPECT_TRUE(kcall("sys_clear " + std::to_string(b)));
    message r{};
    EXPECT_EQ(wait(TESTER, b, &r), OK);
    EXPECT_FALSE(pm_exited(r.PM_STATUS));
    EXPECT_EQ(pm_term_sig(r.PM_STATUS), SIGTERM);
}

TEST_F(Pm, DefaultIgnoredSignalsLeaveAUserAlone) {
    endpoint_t a = spawn(TESTER);
    EXPECT_EQ(pm::sig_manager(a, SIGCHLD), OK);
    EXPECT_EQ(pm::sig_manager(a, SIGKMESS), OK);
    EXPECT_NE(pm::user_process(a), nullptr);
    EXPECT_EQ(pm::sig_manager(a, SIGSEGV), -EDEADSRCDST);  // a crash
    EXPECT_EQ(pm::user_process(a), nullptr);
}

TEST_F(Pm, UsersCannotSendTerminationSignalsToSystemProcesses) {
    endpoint_t u = spawn(TESTER);
    for (int sig : {SIGKILL, SIGSEGV, SIGILL, SIGABRT, SIGBUS, SIGFPE}) {
        EXPECT_EQ(kill(u, SYSPROC, sig), -EPERM) << sig;
    }
    EXPECT_FALSE(kcall("sys_kill " + std::to_string(SYSPROC) + " 9"));
    // A non-termination signal goes to the kernel, which picks the manager (RS).
    EXPECT_EQ(kill(u, SYSPROC, SIGUSR1), OK);
    EXPECT_TRUE(kcall("sys_kill " + std::to_string(SYSPROC) + " 10"));
    // A system process may send anything; still through the kernel.
    EXPECT_EQ(kill(TESTER, SYSPROC, SIGKILL), OK);
    EXPECT_TRUE(kcall("sys_kill " + std::to_string(SYSPROC) + " 9"));
}

TEST_F(Pm, KillChecksItsArguments) {
    endpoint_t u = spawn(TESTER);
    EXPECT_EQ(kill(TESTER, u, -1), -EINVAL);
    EXPECT_EQ(kill(TESTER, u, NSIG_REGULAR), -EINVAL);
    EXPECT_EQ(kill(TESTER, u, 0), OK);
    exit(u, 0);
    EXPECT_EQ(kill(TESTER, u, SIGTERM), -ESRCH);  // a zombie
    fake::on_sys_kill = [](endpoint_t, int) { return -EINVAL; };
    EXPECT_EQ(kill(TESTER, 99999, SIGTERM), -EINVAL);  // the kernel's answer
}

TEST_F(Pm, AsManagerOfASystemProcessPmDeliversMessagesOrEndsIt) {
    // SYSPROC's signal manager was switched to PM.
    EXPECT_EQ(pm::sig_manager(SYSPROC, SIGUSR1), OK);
    EXPECT_EQ(pm::sig_manager(SYSPROC, SIGTERM), OK);  // not a termination signal
    ASSERT_EQ(fake::sent().size(), 2u);
    EXPECT_EQ(fake::sent()[0].to, SYSPROC);
    EXPECT_TRUE(fake::sent()[0].async);
    EXPECT_EQ(fake::sent()[0].m.m_type, SIGS_SIGNAL_RECEIVED);
    EXPECT_EQ(fake::sent()[0].m.SIGS_SIG_NUM, SIGUSR1);
    EXPECT_EQ(fake::sent()[1].m.SIGS_SIG_NUM, SIGTERM);
    EXPECT_FALSE(kcall("sys_clear " + std::to_string(SYSPROC)));

    EXPECT_EQ(pm::sig_manager(SYSPROC, SIGSEGV), -EDEADSRCDST);
    EXPECT_TRUE(kcall("sys_clear " + std::to_string(SYSPROC)));
}

TEST_F(Pm, SrvKillIsForRsOnly) {
    message m{};
    m.m_type = PM_SRV_KILL;
    m.PM_ENDPT = SYSPROC;
    m.PM_SIG = SIGKILL;
    EXPECT_EQ(call(TESTER, m), -EPERM);
    m.m_type = PM_SRV_KILL;
    EXPECT_EQ(call(RS, m), OK);
    EXPECT_TRUE(kcall("sys_clear " + std::to_string(SYSPROC)));
}

TEST_F(Pm, ASystemProcessCallingExitIsKilledThroughItsManager) {
    EXPECT_EQ(exit(SYSPROC, 0), -ELOCKED);
    EXPECT_TRUE(kcall("sys_kill " + std::to_string(SYSPROC) + " 9"));
}

TEST_F(Pm, GetpidAndUnknownRequests) {
    endpoint_t u = spawn(TESTER);
    message m{};
    m.m_type = PM_GETPID;
    EXPECT_EQ(call(u, m), 1);
    m.m_type = PM_GETPID;
    EXPECT_EQ(call(TESTER, m), -ESRCH);
    m.m_type = 999;
    EXPECT_EQ(call(TESTER, m), -ENOSYS);
    (void)GEN;
}

}  // namespace

// The escalation through PM: only a caller with SPAWN_PROGRAMS (RS, the
// control proxy) may have PM spawn, only names of the program directory
// unless it has SPAWN_ANY_PATH (the administrator's path); EPERM and a
// log line otherwise, and nothing reaches the kernel.
TEST_F(Pm, SpawnNeedsTheAuthorityAndAPathNeedsTheAdministrator) {
    fake::priv_flags()[SYSPROC] = SYS_PROC;                  // a default service
    fake::priv_flags()[TESTER] = SYS_PROC | SPAWN_PROGRAMS;  // RS's scripts
    auto try_spawn = [this](endpoint_t as, const char* prog) {
        message m{};
        m.m_type = PM_SPAWN;
        std::strncpy(m.PM_PROGRAM, prog, sizeof m.PM_PROGRAM - 1);
        return call(as, m);
    };
    EXPECT_EQ(try_spawn(SYSPROC, "cat"), -EPERM);
    EXPECT_NE(fake::log().find("pm: 31 may not spawn cat (EPERM): it may not spawn programs"),
              std::string::npos)
        << fake::log();
    EXPECT_EQ(try_spawn(SYSPROC, "/bin/sh"), -EPERM);
    EXPECT_EQ(try_spawn(TESTER, "/bin/sh"), -EPERM);
    EXPECT_EQ(try_spawn(TESTER, "../../bin/sh"), -EPERM);
    EXPECT_NE(fake::log().find("pm: 30 may not spawn /bin/sh (EPERM): only the administrator"),
              std::string::npos)
        << fake::log();
    EXPECT_FALSE(kcall("sys_spawn /bin/sh")) << "nothing reached the kernel";
    EXPECT_EQ(try_spawn(TESTER, "cat"), OK);
    fake::priv_flags()[TESTER] = SYS_PROC | SPAWN_PROGRAMS | SPAWN_ANY_PATH;
    EXPECT_EQ(try_spawn(TESTER, "/usr/libexec/umk/cat"), OK);
}
