// RS on the real system: boot etc/boot.conf with `umk boot` (kernel + PM,
// devman, RS, DS, VM, hello and the control proxy), drive it with
// `umk service` / `umk ps` / `umk cat` over the control socket, and check
// every recovery path. Each test boots its own system (BootedSystemTest),
// which shuts it down and checks that no service is left at the end.
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "booted_system.h"
#include "ctl_proto.h"
#include "umklib/rs_proto.h"

namespace {

using namespace std::chrono_literals;

using umk_test::CliResult;
using umk_test::eventually;

class RsSystem : public umk_test::DefaultSystemTest {
  protected:
    std::string list_field(const std::string& label, int field) {
        return sys_->list_field(label, field);
    }

    int host_pid(const std::string& name) { return sys_->host_pid(name); }
    int count_in_ps(const std::string& name) {
        std::istringstream in(ps().out);
        int n = 0;
        for (std::string line; std::getline(in, line);) {
            std::istringstream w(line);
            std::string slot, ep, nm;
            w >> slot >> ep >> nm;
            n += nm == name;
        }
        return n;
    }

    // Services' log lines reach the log through TTY a moment after the
    // event (under load, well after the command that caused it returned):
    // wait for a line, bounded, instead of looking once. npos on timeout.
    // Positions are line numbers: a smaller one came first.
    std::size_t wait_log(const std::string& what, std::size_t from = 0,
                         std::chrono::milliseconds limit = 10s) {
        return sys_->log.wait_find(what, from, limit);
    }
    std::size_t log_find(const std::string& what) { return sys_->log.find(what); }
    int log_count(const std::string& what) { return sys_->log.count(what); }

    // A service is back: a new endpoint, active again.
    bool recovered(const std::string& label, int old_ep) {
        return eventually(
            [&] {
                int ep = endpoint_of(label);
                return ep > 0 && ep != old_ep &&
                       list_field(label, 3).find('A') != std::string::npos;
            },
            15s);
    }

    // A live update of hello to itself, which the tests below build on: if
    // it fails, the main feature is broken, and the test fails with it.
    void assert_live_update_works() {
        CliResult r = service("update self -label hello -maxtime 2HZ");
        ASSERT_EQ(r.status, 0) << "the live update of hello failed: " << r.out;
    }
};

TEST_F(RsSystem, BootListPsAndCat) {
    for (const char* l : {"pm", "ds", "vm", "devman", "hello"})
        EXPECT_NE(list_field(l, 3).find('A'), std::string::npos) << l << "\n"
                                                                 << service("list").out;
    EXPECT_GT(host_pid("hello"), 0) << ps().out;
    EXPECT_EQ(list_field("hello", 4), std::to_string(host_pid("hello")));  // `service list` PID
    EXPECT_EQ(count_in_ps("umkctl"), 1);
    EXPECT_EQ(count_in_ps("umkctl2"), 1);
    CliResult c = cat("/dev/hello");
    EXPECT_EQ(c.status, 0) << c.out;
    EXPECT_EQ(c.out, "Hello, World!\n");
    CliResult bad = cat("/dev/nosuch");
    EXPECT_NE(bad.status, 0);
}

TEST_F(RsSystem, ShutdownHaltsTheSystem) {
    const pid_t hello = host_pid("hello");
    ASSERT_GT(hello, 0) << ps().out;
    CliResult r = service("shutdown");
    EXPECT_EQ(r.status, 0) << r.out;
    // The kernel process ends by itself and takes every service with it.
    std::optional<int> st = sys_->wait_exit(30s);
    ASSERT_TRUE(st) << "the kernel did not stop after shutdown";
    EXPECT_TRUE(WIFEXITED(*st) && WEXITSTATUS(*st) == 0) << *st;
    // The log reader may still be behind the kernel's last lines: wait.
    EXPECT_NE(sys_->log.wait_find("shutdown requested", 0, 5s), std::string::npos)
        << sys_->log.text();
    EXPECT_TRUE(kill(hello, 0) != 0 && errno == ESRCH) << "hello survived the shutdown";
}

TEST_F(RsSystem, UpDownRestartRefresh) {
    int ep0 = endpoint_of("hello");
    CliResult r = service("restart hello");
    ASSERT_EQ(r.status, 0) << r.out;
    int ep1 = endpoint_of("hello");
    EXPECT_NE(ep1, ep0);
    EXPECT_EQ(cat("/dev/hello").out, "Hello, World!\n");

    ASSERT_EQ(service("refresh hello").status, 0);
    EXPECT_TRUE(recovered("hello", ep1));

    r = service("down hello");
    ASSERT_EQ(r.status, 0) << r.out;
    r = service("lookup hello");
    EXPECT_EQ(r.status, 3) << r.out;  // ESRCH
    EXPECT_NE(r.out.find("ESRCH"), std::string::npos);
    EXPECT_EQ(count_in_ps("hello"), 0) << ps().out;

    r = service("up hello -period 1HZ");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_GT(endpoint_of("hello"), 0);
    EXPECT_TRUE(eventually([&] { return cat("/dev/hello").out == "Hello, World!\n"; }, 5s));
    EXPECT_EQ(service("up hello").status, 16);  // EBUSY: the label is taken
}

TEST_F(RsSystem, CoreServicesAreProtected) {
    CliResult r = service("down ds");
    EXPECT_EQ(r.status, 1) << r.out;  // EPERM
    EXPECT_NE(r.out.find("EPERM"), std::string::npos);
    EXPECT_EQ(service("down nosuch").status, 3);
    EXPECT_EQ(service("frobnicate").status, 38);  // unknown verb
    EXPECT_EQ(service("up").status, 22);          // usage
}

// Clients that go away - before sending a whole request, or while their
// request is being served - cost the kernel nothing.
TEST_F(RsSystem, ClientsThatDisconnectDoNotHurtTheKernel) {
    auto connect_raw = [&] {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::snprintf(a.sun_path, sizeof a.sun_path, "%s", sys_->socket().c_str());
        EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        return fd;
    };
    // Half a request, then gone.
    int fd = connect_raw();
    umk::control::CtlRequest rq{};
    rq.magic = umk::control::CTL_MAGIC;
    rq.op = umk::control::CTL_RS;
    ASSERT_EQ(send(fd, &rq, sizeof rq / 2, MSG_NOSIGNAL), static_cast<ssize_t>(sizeof rq / 2));
    close(fd);
    // A whole request that takes a while (restart waits for the replica), then gone.
    ASSERT_EQ(service("up rs_victim -label quiet -args good").status, 0);
    fd = connect_raw();
    rq.rs_type = umk::RS_RESTART;
    std::snprintf(rq.label, sizeof rq.label, "quiet");
    ASSERT_EQ(send(fd, &rq, sizeof rq, MSG_NOSIGNAL), static_cast<ssize_t>(sizeof rq));
    close(fd);
    // Garbage.
    fd = connect_raw();
    char junk[sizeof rq];
    std::memset(junk, 0x5a, sizeof junk);
    send(fd, junk, sizeof junk, MSG_NOSIGNAL);
    close(fd);
    // Everybody still answers (quiet once its replica is up).
    EXPECT_TRUE(eventually([&] { return service("lookup quiet").status == 0; }, 10s))
        << service("list").out;
    EXPECT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    EXPECT_EQ(list_field("quiet", 1), "1");  // the abandoned restart did happen
}

TEST_F(RsSystem, UpWhoseInitFailsReportsTheError) {
    CliResult r = service("up rs_victim -label vfail -args initfail");
    EXPECT_EQ(r.status, 38) << r.out;  // ENOSYS from its init
    EXPECT_EQ(service("lookup vfail").status, 3);
    EXPECT_TRUE(eventually([&] { return count_in_ps("rs_victim") == 0; }, 5s)) << ps().out;
}

// An administrator starts a binary that is no service (`umk service up
// /bin/sh`): it is confined like anything in a slot, dies in its loader at
// its first file access, reported by name, and never runs as root on the
// host; the system goes on.
class HostileServiceUp : public RsSystem {};

TEST_F(HostileServiceUp, ShellDiesAtItsFirstForbiddenCall) {
    const auto from = static_cast<std::size_t>(log_count(""));
    CliResult r = service("up /bin/sh -label sh");
    EXPECT_NE(r.status, 0) << r.out;  // it never answers RS's init
    const std::size_t at = wait_log("made forbidden syscall", from);
    ASSERT_NE(at, std::string::npos);
    EXPECT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    service("down sh");
    EXPECT_TRUE(eventually([&] { return count_in_ps("sh") == 0; }, 5s)) << ps().out;
}

class RsSystemHostKill : public RsSystem, public ::testing::WithParamInterface<int> {};

TEST_P(RsSystemHostKill, HelloIsRecovered) {
    ASSERT_EQ(cat("/dev/hello").status, 0);
    ASSERT_EQ(cat("/dev/hello").status, 0);  // open counter 2
    int ep = endpoint_of("hello");
    int pid = host_pid("hello");
    ASSERT_GT(pid, 0);
    ASSERT_EQ(kill(pid, GetParam()), 0);
    ASSERT_TRUE(recovered("hello", ep)) << service("list").out;
    EXPECT_EQ(list_field("hello", 1), "1");          // restarts
    EXPECT_EQ(count_in_ps("hello"), 1) << ps().out;  // the dead instance is cleaned up
    std::size_t restarted = wait_log("just been restarted");
    std::size_t cleaned = wait_log("RS: service 'hello' restarted");
    ASSERT_NE(restarted, std::string::npos) << "no 'just been restarted' in the log within 10 s";
    ASSERT_NE(cleaned, std::string::npos) << "no 'RS: service 'hello' restarted' within 10 s";
    EXPECT_LT(restarted, cleaned);  // replica initialized, then predecessor cleaned
    EXPECT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    // The counter goes on: DS outlives hello, even a host kill -9 of it.
    EXPECT_NE(wait_log("Called 3 time(s)", restarted), std::string::npos)
        << "no 'Called 3 time(s)' after the restart within 10 s";
}

INSTANTIATE_TEST_SUITE_P(Signals, RsSystemHostKill, ::testing::Values(SIGKILL, SIGSEGV),
                         [](const auto& info) {
                             return std::string(info.param == SIGKILL ? "Sigkill" : "Sigsegv");
                         });

// A service crashing by itself (CPU exception, forbidden syscall, exit) or
// missing its heartbeat is restarted with a new endpoint.
class RsSystemCrash : public RsSystem, public ::testing::WithParamInterface<const char*> {};

TEST_P(RsSystemCrash, ServiceIsRestarted) {
    std::string mode = GetParam();
    std::string label = "v" + mode;
    CliResult r = service("up rs_victim -label " + label + " -args " + mode + " -period 15");
    ASSERT_EQ(r.status, 0) << r.out;
    int ep = endpoint_of(label);
    ASSERT_GT(ep, 0);
    ASSERT_TRUE(recovered(label, ep)) << service("list").out;
    EXPECT_EQ(list_field(label, 1), "1");
    EXPECT_EQ(count_in_ps("rs_victim"), 1) << ps().out;
    if (mode == "hang") {
        EXPECT_NE(wait_log("missed its heartbeat"), std::string::npos)
            << "no 'missed its heartbeat' in the log within 10 s";
    }
    ASSERT_EQ(service("down " + label).status, 0);
    EXPECT_TRUE(eventually([&] { return count_in_ps("rs_victim") == 0; }, 5s));
}

INSTANTIATE_TEST_SUITE_P(Modes, RsSystemCrash,
                         ::testing::Values("segv", "syscall", "exit", "hang"));

// `-script recover`: RS does not restart the killed service itself; it runs
// the user program recover (through PM), which says so on /dev/tty and asks
// RS to refresh the label; the script is reaped afterwards.
TEST_F(RsSystem, RecoveryScriptRefreshesTheKilledService) {
    CliResult r = service("up rs_victim -label h2 -args good -script recover");
    ASSERT_EQ(r.status, 0) << r.out;
    int ep = endpoint_of("h2");
    ASSERT_GT(ep, 0);
    int pid = std::stoi(list_field("h2", 4));
    ASSERT_GT(pid, 0) << service("list").out;
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    ASSERT_TRUE(recovered("h2", ep)) << service("list").out;
    EXPECT_NE(wait_log("recover: h2 failed (crashed), repetition 0: refreshing"), std::string::npos)
        << "the script's line did not reach the log within 10 s";
    EXPECT_NE(wait_log("running its recovery script 'recover'"), std::string::npos)
        << "RS's line did not reach the log within 10 s";
    EXPECT_EQ(log_find("ended without restarting it"), std::string::npos);  // recover did it
    EXPECT_EQ(list_field("h2", 1), "1");
    EXPECT_TRUE(eventually([&] { return count_in_ps("recover") == 0; }, 5s)) << ps().out;
    EXPECT_EQ(count_in_ps("rs_victim"), 1) << ps().out;  // the dead instance is gone
    EXPECT_EQ(log_find("cannot reap"), std::string::npos);
    ASSERT_EQ(service("down h2").status, 0);
    EXPECT_TRUE(eventually([&] { return count_in_ps("rs_victim") == 0; }, 5s)) << ps().out;
}

// A script that ends without refreshing (cat: "h4", "crashed", "0" are no
// files, so it exits 1) is reaped and RS restarts the service itself.
TEST_F(RsSystem, ScriptEndingWithoutRefreshLeavesTheRestartToRs) {
    CliResult r = service("up rs_victim -label h4 -args good -script cat");
    ASSERT_EQ(r.status, 0) << r.out;
    int ep = endpoint_of("h4");
    int pid = std::stoi(list_field("h4", 4));
    ASSERT_GT(pid, 0);
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    ASSERT_TRUE(recovered("h4", ep)) << service("list").out;
    EXPECT_NE(wait_log("recovery script of 'h4' ended without restarting it"), std::string::npos)
        << "RS's line did not reach the log within 10 s";
    EXPECT_EQ(log_find("cannot reap"), std::string::npos);
    EXPECT_TRUE(eventually([&] { return count_in_ps("cat") == 0; }, 5s)) << ps().out;
    ASSERT_EQ(service("down h4").status, 0);
    EXPECT_TRUE(eventually([&] { return count_in_ps("rs_victim") == 0; }, 5s)) << ps().out;
}

// A script that cannot run does not leave the service dead: RS restarts it.
TEST_F(RsSystem, MissingRecoveryScriptLeavesTheRestartToRs) {
    CliResult r = service("up rs_victim -label h3 -args good -script nosuch_script");
    ASSERT_EQ(r.status, 0) << r.out;
    int ep = endpoint_of("h3");
    int pid = std::stoi(list_field("h3", 4));
    ASSERT_GT(pid, 0);
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    ASSERT_TRUE(recovered("h3", ep)) << service("list").out;
    EXPECT_NE(wait_log("cannot run the recovery script 'nosuch_script' of 'h3'"), std::string::npos)
        << "RS's line did not reach the log within 10 s";
    ASSERT_EQ(service("down h3").status, 0);
    EXPECT_TRUE(eventually([&] { return count_in_ps("rs_victim") == 0; }, 5s)) << ps().out;
}

TEST_F(RsSystem, UpdateThatNeverReachesItsStateIsCancelled) {
    ASSERT_EQ(service("up rs_victim -label slow -args neverready").status, 0);
    int ep = endpoint_of("slow");
    CliResult r = service("update self -label slow -state 2 -maxtime 1HZ");
    EXPECT_EQ(r.status, 4) << r.out;  // EINTR
    EXPECT_NE(r.out.find("update failed: EINTR (4)"), std::string::npos) << r.out;
    EXPECT_EQ(endpoint_of("slow"), ep);  // the old version goes on
    EXPECT_NE(list_field("slow", 3).find('A'), std::string::npos);
    EXPECT_EQ(count_in_ps("rs_victim"), 1) << ps().out;  // the new version is gone
}

TEST_F(RsSystem, SecondConcurrentUpdateIsBusy) {
    ASSERT_EQ(service("up rs_victim -label slow -args neverready").status, 0);
    CliResult first;
    std::thread t([&] { first = service("update self -label slow -state 2 -maxtime 3HZ"); });
    // The second proxy slot answers while the first update is pending.
    bool updating =
        eventually([&] { return list_field("slow", 3).find('U') != std::string::npos; }, 2s);
    CliResult second = service("update self -label hello");
    t.join();
    ASSERT_TRUE(updating);
    EXPECT_EQ(second.status, 16) << second.out;  // EBUSY: one update at a time
    EXPECT_NE(second.out.find("EBUSY"), std::string::npos);
    EXPECT_EQ(first.status, 4) << first.out;
}

// ---- live updates that swap ----
// A failed update fails these tests: a regression of live update must not
// show as a skip.

TEST_F(RsSystem, UpdateKeepsTheCounterAndTheEndpoint) {
    ASSERT_EQ(cat("/dev/hello").status, 0);
    int ep = endpoint_of("hello");
    CliResult r = service("update hello_v2 -label hello");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(endpoint_of("hello"), ep);
    EXPECT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    EXPECT_NE(wait_log("Called 2 time(s)"), std::string::npos)  // counter kept
        << "no 'Called 2 time(s)' in the log within 10 s";
    EXPECT_NE(wait_log("(v2)"), std::string::npos)  // the new version speaks
        << "no '(v2)' in the log within 10 s";
    // One instance left: the new image (named after its program) at hello's endpoint.
    EXPECT_EQ(count_in_ps("hello") + count_in_ps("hello_v2"), 1) << ps().out;
}

class RsSystemRollback : public RsSystem,
                         public ::testing::WithParamInterface<std::pair<const char*, int>> {};

TEST_P(RsSystemRollback, OldVersionGoesOn) {
    ASSERT_NO_FATAL_FAILURE(assert_live_update_works());
    auto [flag, expected] = GetParam();
    int ep = endpoint_of("hello");
    CliResult r = service(std::string("update self -label hello -maxtime 1HZ ") + flag);
    EXPECT_EQ(r.status, expected) << r.out;
    EXPECT_EQ(endpoint_of("hello"), ep);
    EXPECT_EQ(cat("/dev/hello").out, "Hello, World!\n");  // the old version still serves
    EXPECT_EQ(count_in_ps("hello"), 1) << ps().out;
}

INSTANTIATE_TEST_SUITE_P(Flags, RsSystemRollback,
                         ::testing::Values(std::pair{"-y", 38}, std::pair{"-x", 85},
                                           std::pair{"-z", 4}),
                         [](const auto& info) { return std::string(info.param.first + 1); });

// A client reads /dev/hello in a loop (through devman) while hello is
// replaced: every read is answered, exactly once, with the right text.
TEST_F(RsSystem, UpdateUnderAStreamOfRequestsLosesNothing) {
    ASSERT_NO_FATAL_FAILURE(assert_live_update_works());
    std::atomic<bool> stop{false};
    std::atomic<int> ok{0}, bad{0};
    std::thread client([&] {
        while (!stop) {
            CliResult c = cat("/dev/hello");
            (c.status == 0 && c.out == "Hello, World!\n" ? ok : bad)++;
        }
    });
    std::this_thread::sleep_for(300ms);
    CliResult r = service("update hello_v2 -label hello");
    std::this_thread::sleep_for(300ms);
    stop = true;
    client.join();
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_GT(ok.load(), 0);
    EXPECT_EQ(bad.load(), 0);
    // The open counter went through the update: one more open makes it
    // exactly the number of reads, none lost, none counted twice.
    ASSERT_EQ(cat("/dev/hello").status, 0);
    std::string n = "Called " + std::to_string(ok.load() + 1) + " time(s)";
    // Every open logs one line: wait until all ok + 1 of them are in the
    // file, then check the last number (a count one too high fails).
    EXPECT_TRUE(eventually([&] { return log_count("hello_open(). Called") >= ok.load() + 1; }, 10s))
        << "only " << log_count("hello_open(). Called") << " of " << ok.load() + 1
        << " open lines reached the log within 10 s";
    EXPECT_NE(log_find(n), std::string::npos) << n;
    EXPECT_EQ(log_find("Called " + std::to_string(ok.load() + 2) + " time(s)"), std::string::npos);
}

// ---- RS's live update of itself ----

// `service list` without the PID column (pids are the kernel's business).
std::string without_pids(const std::string& list) {
    std::istringstream in(list);
    std::string out;
    for (std::string line; std::getline(in, line);) {
        std::istringstream w(line);
        std::string f[7];
        w >> f[0] >> f[1] >> f[2] >> f[3] >> f[4] >> f[5] >> f[6];
        out += f[0] + " " + f[1] + " " + f[2] + " " + f[3] + " " + f[4] + " " + f[6] + "\n";
    }
    return out;
}

bool host_process_gone(pid_t pid) {
    // The kernel reaps its children: ESRCH once it has.
    for (int i = 0; i < 100; ++i) {
        if (kill(pid, 0) != 0 && errno == ESRCH) return true;
        std::this_thread::sleep_for(50ms);
    }
    return false;
}

TEST_F(RsSystem, SelfUpdateHandsTheWholeTableToTheNewRs) {
    // A service RS started after boot, and one that crashed before.
    ASSERT_EQ(service("up rs_victim -label quiet -args good").status, 0);
    ASSERT_EQ(service("restart hello").status, 0);
    const std::string before = without_pids(service("list").out);
    const pid_t old_rs = host_pid("rs");
    ASSERT_GT(old_rs, 0) << ps().out;

    CliResult r = service("update self -label rs");
    ASSERT_EQ(r.status, 0) << r.out;
    const pid_t new_rs = host_pid("rs");
    EXPECT_GT(new_rs, 0);
    EXPECT_NE(new_rs, old_rs);
    EXPECT_EQ(count_in_ps("rs"), 1) << ps().out;  // the old instance is cleared
    EXPECT_TRUE(host_process_gone(old_rs)) << "the old RS's host process " << old_rs << " is left";
    EXPECT_EQ(endpoint_of("rs"), umk::RS_PROC_NR);
    EXPECT_NE(wait_log("RS: update of 'rs' succeeded"), std::string::npos)
        << "RS's line did not reach the log within 10 s";
    EXPECT_EQ(without_pids(service("list").out), before);

    // The new RS does everything the old one did.
    int ep = endpoint_of("hello");
    r = service("restart hello");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(endpoint_of("hello"), ep);
    EXPECT_EQ(list_field("hello", 1), "2");  // the restart count went across
    ep = endpoint_of("hello");
    r = service("update hello_v2 -label hello");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(endpoint_of("hello"), ep);
    EXPECT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    const pid_t hello = host_pid("hello_v2");
    ASSERT_GT(hello, 0) << ps().out;
    ASSERT_EQ(kill(hello, SIGKILL), 0);
    EXPECT_TRUE(recovered("hello", ep)) << service("list").out;
    EXPECT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    ASSERT_EQ(service("down quiet").status, 0);
    EXPECT_TRUE(eventually([&] { return count_in_ps("rs_victim") == 0; }, 5s)) << ps().out;
    ASSERT_EQ(service("up rs_victim -label quiet2 -args good").status, 0);

    // And is updated in turn, from the binary's path this time.
    r = service("update " + umk_test::test_programs() + "/rs -label rs");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(host_pid("rs"), new_rs);
    EXPECT_EQ(count_in_ps("rs"), 1) << ps().out;
    EXPECT_EQ(service("lookup quiet2").status, 0);
    EXPECT_EQ(service("restart quiet2").status, 0);
}

// Requests keep coming (through the second proxy slot) while RS replaces
// itself: each is answered, by whichever RS owns the endpoint then.
TEST_F(RsSystem, SelfUpdateUnderAStreamOfRequestsLosesNothing) {
    std::atomic<bool> stop{false};
    std::atomic<int> ok{0}, bad{0};
    std::thread client([&] {
        while (!stop) {
            CliResult r = service("lookup hello");
            (r.status == 0 && std::stoi(r.out) > 0 ? ok : bad)++;
        }
    });
    std::this_thread::sleep_for(200ms);
    CliResult r = service("update self -label rs");
    std::this_thread::sleep_for(200ms);
    CliResult again = service("update self -label rs");
    std::this_thread::sleep_for(200ms);
    stop = true;
    client.join();
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(again.status, 0) << again.out;
    EXPECT_GT(ok.load(), 0);
    EXPECT_EQ(bad.load(), 0);
    EXPECT_EQ(count_in_ps("rs"), 1) << ps().out;
}

// The new RS's init fails after the swap (-y: RS swaps back), crashes (-x)
// or hangs (-z) before it: the old RS goes on, the new one leaves no trace.
class RsSystemSelfRollback : public RsSystem,
                             public ::testing::WithParamInterface<std::pair<const char*, int>> {};

TEST_P(RsSystemSelfRollback, OldRsGoesOn) {
    auto [flag, expected] = GetParam();
    const std::string before = without_pids(service("list").out);
    const pid_t rs = host_pid("rs");
    // -z waits out maxtime; the others need not hurry.
    const std::string maxtime = std::string(flag) == "-z" ? "1HZ" : "5HZ";
    CliResult r = service("update self -label rs -maxtime " + maxtime + " " + flag);
    EXPECT_EQ(r.status, expected) << r.out;
    EXPECT_NE(wait_log("the old instance goes on"), std::string::npos)
        << "RS's line did not reach the log within 10 s";
    EXPECT_EQ(host_pid("rs"), rs);
    EXPECT_TRUE(eventually([&] { return count_in_ps("rs") == 1; }, 5s)) << ps().out;
    EXPECT_EQ(without_pids(service("list").out), before);
    // RS still works: a restart, a crash recovery, and then an update of itself.
    int ep = endpoint_of("hello");
    ASSERT_EQ(service("restart hello").status, 0);
    EXPECT_NE(endpoint_of("hello"), ep);
    ep = endpoint_of("hello");
    ASSERT_EQ(kill(host_pid("hello"), SIGKILL), 0);
    EXPECT_TRUE(recovered("hello", ep)) << service("list").out;
    r = service("update self -label rs");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_NE(host_pid("rs"), rs);
}

INSTANTIATE_TEST_SUITE_P(Flags, RsSystemSelfRollback,
                         ::testing::Values(std::pair{"-y", 38}, std::pair{"-x", 85},
                                           std::pair{"-z", 4}),
                         [](const auto& info) { return std::string(info.param.first + 1); });

}  // namespace
