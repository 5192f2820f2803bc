// RS's own recovery on the real system (etc/boot.conf: the guardian
// servers/guard is RS's signal manager): a host SIGSEGV or SIGKILL of RS,
// idle or with a live update in flight, and the system serves again - RS
// at its endpoint in a new host process, its table restored (or rebuilt),
// later recoveries still working, a request in progress answered.
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>

#include "booted_system.h"
#include "cgroup_freezer.h"

namespace {

using namespace std::chrono_literals;

using umk_test::CliResult;
using umk_test::eventually;

class RsGuard : public umk_test::DefaultSystemTest {
  protected:
    void SetUp() override {
        DefaultSystemTest::SetUp();
        if (HasFatalFailure()) return;
        // The guard runs once RS has started it.
        ASSERT_TRUE(eventually([&] { return list_field("guard", 3).find('A') == 0; }, 10s))
            << service("list").out;
    }

    std::string list_field(const std::string& label, int field) {
        return sys_->list_field(label, field);
    }
    int rs_pid() { return sys_->host_pid("rs"); }
    std::size_t wait_log(const std::string& what, std::chrono::milliseconds limit = 10s) {
        return sys_->log.wait_find(what, 0, limit);
    }

    // Kill RS's host process with `sig`; true once a new RS (another host
    // pid, same endpoint) answers `service list`.
    bool kill_rs(int sig) {
        const int pid = rs_pid();
        EXPECT_GT(pid, 0);
        if (pid <= 0 || ::kill(pid, sig) != 0) return false;
        return eventually(
            [&] {
                const int now = rs_pid();
                return now > 0 && now != pid && service("list").status == 0;
            },
            10s);
    }

    // hello answers a user program.
    bool hello_serves() {
        CliResult r = sys_->cat("/dev/hello");
        return r.status == 0 && r.out.find("Hello, World!") != std::string::npos;
    }

    // A crash of hello is still recovered by RS: a new endpoint, active.
    void hello_recovered_after_kill() {
        const std::string ep = list_field("hello", 0);
        const int pid = std::stoi(list_field("hello", 4));
        ASSERT_GT(pid, 0);
        ASSERT_EQ(::kill(pid, SIGKILL), 0);
        EXPECT_TRUE(eventually(
            [&] {
                const std::string now = list_field("hello", 0);
                return !now.empty() && now != ep && list_field("hello", 3).find('A') == 0;
            },
            10s))
            << service("list").out;
        EXPECT_TRUE(eventually([&] { return hello_serves(); }, 5s));
    }
};

TEST_F(RsGuard, SegvOfIdleRsIsRecoveredWithItsTable) {
    ASSERT_EQ(service("up rs_victim -label h2 -args good").status, 0);
    const std::string h2 = list_field("h2", 0);
    ASSERT_TRUE(kill_rs(SIGSEGV)) << service("list").out;
    EXPECT_NE(wait_log("guard: RS (endpoint 2) got SIGSEGV: starting a new RS"), std::string::npos);
    EXPECT_NE(wait_log("RS: restarted: the table of the previous RS is restored"),
              std::string::npos);
    EXPECT_NE(wait_log("guard: the new RS serves at endpoint 2"), std::string::npos);
    EXPECT_EQ(service("lookup rs").out, "2\n");
    // The table came back: the service started at run time is still known.
    EXPECT_EQ(list_field("h2", 0), h2) << service("list").out;
    EXPECT_EQ(list_field("h2", 3).find('A'), 0u);
    ASSERT_EQ(service("down h2").status, 0);
    hello_recovered_after_kill();
    // And a fault injected into hello by the new RS.
    const std::string restarts = list_field("hello", 1);
    ASSERT_EQ(service("fi hello").status, 0);
    EXPECT_TRUE(eventually(
        [&] { return list_field("hello", 1) != restarts && list_field("hello", 3).find('A') == 0; },
        10s))
        << service("list").out;
    EXPECT_TRUE(eventually([&] { return hello_serves(); }, 5s));
}

TEST_F(RsGuard, KillOfRsRebuildsItsTableFromTheKernel) {
    ASSERT_TRUE(kill_rs(SIGKILL)) << service("list").out;
    // A host SIGKILL takes RS's memory and its checkpoint with it.
    EXPECT_NE(wait_log("the checkpoint of the previous RS is lost"), std::string::npos);
    EXPECT_NE(wait_log("guard: the new RS serves at endpoint 2"), std::string::npos);
    for (const char* label : {"pm", "devman", "guard", "tty", "ds", "vm", "hello"})
        EXPECT_EQ(list_field(label, 3).find('A'), 0u) << label << "\n" << service("list").out;
    EXPECT_TRUE(hello_serves());
    hello_recovered_after_kill();
    // And RS again, after its own recovery.
    ASSERT_TRUE(kill_rs(SIGSEGV)) << service("list").out;
    EXPECT_TRUE(hello_serves());
}

TEST_F(RsGuard, RsKilledDuringAnUpdateAnswersTheRequestAndTheServiceGoesOn) {
    ASSERT_EQ(service("up rs_victim -label slow -args neverready").status, 0);
    const std::string ep = list_field("slow", 0);
    CliResult upd;
    std::thread t([&] { upd = service("update self -label slow -state 2 -maxtime 300"); });
    const bool updating =
        eventually([&] { return list_field("slow", 3).find('U') != std::string::npos; }, 5s);
    const bool recovered = updating && kill_rs(SIGSEGV);
    t.join();
    ASSERT_TRUE(updating) << service("list").out;
    ASSERT_TRUE(recovered) << service("list").out;
    EXPECT_EQ(upd.status, 85) << upd.out;  // ERESTART
    EXPECT_NE(upd.out.find("RS restarted during the request: retry"), std::string::npos) << upd.out;
    EXPECT_NE(wait_log("RS: the update of 'slow' in flight when RS died is cancelled"),
              std::string::npos);
    // The old version goes on at its endpoint, the new one is gone.
    EXPECT_EQ(list_field("slow", 0), ep) << service("list").out;
    EXPECT_EQ(list_field("slow", 3), "A") << service("list").out;
    EXPECT_TRUE(hello_serves());
    // A new update is accepted (nothing of the old one is left in RS).
    CliResult again = service("update self -label slow -state 2 -maxtime 1HZ");
    EXPECT_EQ(again.status, 4) << again.out;  // EINTR: neverready never prepares
    ASSERT_EQ(service("down slow").status, 0);
}

// A hung RS (its host process frozen: SIGSTOP would be swallowed by the
// kernel's tracer) stops answering the guardian's pings: the guardian kills
// it, and the recovery is that of a crash.
TEST_F(RsGuard, HungRsIsKilledAndReplaced) {
    umk_test::CgroupFreezer cg(umk_test::Freezer::V2);  // SIGKILL gets through
    ASSERT_TRUE(cg.ok()) << cg.why();
    const int pid = rs_pid();
    ASSERT_GT(pid, 0);
    ASSERT_TRUE(cg.freeze(pid));
    // Requests made meanwhile are answered: the one the frozen RS took
    // (if any) with ERESTART, the ones queued behind it by the new RS.
    CliResult first, second;
    std::thread t1([&] { first = service("list"); });
    std::this_thread::sleep_for(200ms);
    std::thread t2([&] { second = service("list"); });
    EXPECT_NE(wait_log("guard: RS has not answered for 10 s (hung): killing it", 20s),
              std::string::npos);
    t1.join();
    t2.join();
    for (const CliResult* r : {&first, &second}) {
        if (r->status == 85)
            EXPECT_NE(r->out.find("RS restarted during the request: retry"), std::string::npos)
                << r->out;
        else
            EXPECT_EQ(r->status, 0) << r->out;
    }
    EXPECT_TRUE(first.status == 0 || second.status == 0) << first.out << second.out;
    EXPECT_TRUE(eventually(
        [&] {
            const int now = rs_pid();
            return now > 0 && now != pid && service("list").status == 0;
        },
        10s))
        << service("list").out;
    cg.thaw();  // the dead image, if still there, must not linger
    EXPECT_TRUE(hello_serves());
}

// The guard is a service like any other to RS: RS restarts it, at its
// endpoint (policy restart: RS's signal manager is fixed in RS's
// privileges), and the new guard watches RS again.
TEST_F(RsGuard, CrashOfTheGuardIsRecoveredByRsAndGuardsAgain) {
    const int pid = std::stoi(list_field("guard", 4));
    ASSERT_GT(pid, 0);
    ASSERT_EQ(::kill(pid, SIGSEGV), 0);
    EXPECT_TRUE(eventually(
        [&] {
            const std::string p = list_field("guard", 4);
            return list_field("guard", 1) == "1" && list_field("guard", 3).find('A') == 0 &&
                   !p.empty() && std::stoi(p) != pid;
        },
        10s))
        << service("list").out;
    EXPECT_NE(wait_log("RS: service 'guard' restarted"), std::string::npos);
    EXPECT_EQ(list_field("guard", 0), "3");
    EXPECT_TRUE(hello_serves());
    ASSERT_TRUE(kill_rs(SIGSEGV)) << service("list").out;
    EXPECT_NE(wait_log("RS: restarted: the table of the previous RS is restored"),
              std::string::npos);
    EXPECT_TRUE(hello_serves());
}

// `service fi rs`: RS crashes itself on request, once it has answered.
TEST_F(RsGuard, FaultInjectedIntoRsIsRecovered) {
    const int pid = rs_pid();
    ASSERT_EQ(service("fi rs").status, 0);
    EXPECT_TRUE(eventually(
        [&] {
            const int now = rs_pid();
            return now > 0 && now != pid && service("list").status == 0;
        },
        10s))
        << service("list").out;
    EXPECT_NE(wait_log("guard: the new RS serves at endpoint 2"), std::string::npos);
    hello_recovered_after_kill();
}

// RS's own live update keeps the guardian as RS's signal manager (and the
// new RS tells it its checkpoint): a crash after the update is recovered
// with the table; a crash of the new instance during its init (-x) is
// still caught by the old RS, through the guardian.
TEST_F(RsGuard, RsUpdatedByItselfIsStillGuarded) {
    ASSERT_EQ(service("up rs_victim -label h2 -args good").status, 0);
    const std::string h2 = list_field("h2", 0);
    CliResult x = service("update self -label rs -x");
    EXPECT_EQ(x.status, 85) << x.out;  // ERESTART: the old RS goes on
    const int before = rs_pid();
    ASSERT_EQ(service("update self -label rs").status, 0);
    EXPECT_NE(rs_pid(), before);
    EXPECT_EQ(sys_->log.count("guard: the new RS serves"), 0);
    ASSERT_TRUE(kill_rs(SIGSEGV)) << service("list").out;
    EXPECT_NE(wait_log("RS: restarted: the table of the previous RS is restored"),
              std::string::npos);
    EXPECT_EQ(list_field("h2", 0), h2) << service("list").out;
    ASSERT_EQ(service("down h2").status, 0);
    hello_recovered_after_kill();
}

}  // namespace
