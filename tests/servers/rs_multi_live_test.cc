// Multi-component live update and live-update robustness on the real
// system (etc/boot.conf through tests/linux/booted_system.h): hello and
// TTY updated as one step with `update ... -q` + `sysctl upd_run`, a batch
// whose last member fails rolling every member back, and the old version
// killed (host kill -9) during an update, after which the service serves
// again.
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "booted_system.h"

namespace {

using namespace std::chrono_literals;

using umk_test::CliResult;
using umk_test::eventually;

class RsMultiSystem : public umk_test::DefaultSystemTest {
  protected:
    std::string flags(const std::string& label) { return sys_->list_field(label, 3); }
    std::string restarts(const std::string& label) { return sys_->list_field(label, 1); }
    std::size_t wait_log(const std::string& what, std::size_t from = 0,
                         std::chrono::milliseconds limit = 10s) {
        return sys_->log.wait_find(what, from, limit);
    }
    int count_in_ps(const std::string& name) {
        std::istringstream in(sys_->ps().out);
        int n = 0;
        for (std::string line; std::getline(in, line);) {
            std::istringstream w(line);
            std::string slot, ep, nm;
            w >> slot >> ep >> nm;
            n += nm == name;
        }
        return n;
    }
    // Host pids of every process of that name in `umk ps`.
    std::vector<pid_t> host_pids(const std::string& name) {
        std::vector<pid_t> out;
        std::istringstream in(sys_->ps().out);
        for (std::string line; std::getline(in, line);) {
            std::istringstream w(line);
            std::string slot, ep, n, fl, mgr, pid;
            w >> slot >> ep >> n >> fl >> mgr >> pid;
            if (n == name && pid != "-") out.push_back(std::stoi(pid));
        }
        return out;
    }
    bool serving(const std::string& label) {
        return flags(label).find('A') != std::string::npos &&
               flags(label).find('U') == std::string::npos;
    }
};

TEST_F(RsMultiSystem, HelloAndTtyUpdateAsOne) {
    ASSERT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    const int hello = endpoint_of("hello"), tty = endpoint_of("tty");
    ASSERT_GT(hello, 0);
    ASSERT_GT(tty, 0);
    CliResult q = service("update self -label hello -q -maxtime 3HZ");
    ASSERT_EQ(q.status, 0) << q.out;
    EXPECT_NE(q.out.find("queued"), std::string::npos) << q.out;
    q = service("update self -label tty -q -maxtime 3HZ");
    ASSERT_EQ(q.status, 0) << q.out;
    EXPECT_EQ(endpoint_of("hello"), hello);
    EXPECT_TRUE(serving("hello"));  // queued only: nothing happens yet
    CliResult r = service("sysctl upd_run");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(wait_log("RS: update of 'hello' succeeded"), std::string::npos);
    EXPECT_NE(wait_log("RS: update of 'tty' succeeded"), std::string::npos);
    EXPECT_EQ(endpoint_of("hello"), hello);
    EXPECT_EQ(endpoint_of("tty"), tty);
    EXPECT_TRUE(serving("hello"));
    EXPECT_TRUE(serving("tty"));
    // Both new versions serve: hello's counter went through its update, and
    // TTY still carries the services' log lines (this one is hello's).
    EXPECT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    EXPECT_NE(wait_log("Called 2 time(s)"), std::string::npos);
    // The queue was consumed.
    CliResult again = service("sysctl upd_run");
    EXPECT_EQ(again.status, 22) << again.out;  // EINVAL: nothing queued
}

TEST_F(RsMultiSystem, LastMemberFailingRollsEveryMemberBack) {
    const int hello = endpoint_of("hello"), tty = endpoint_of("tty");
    const std::string hello_restarts = restarts("hello"), tty_restarts = restarts("tty");
    ASSERT_EQ(service("update self -label hello -q -maxtime 3HZ").status, 0);
    ASSERT_EQ(service("update self -label tty -q -maxtime 3HZ -y").status, 0);
    CliResult r = service("sysctl upd_run");
    EXPECT_EQ(r.status, 38) << r.out;  // ENOSYS: -y's init error
    EXPECT_NE(wait_log("RS: update of 'tty' failed"), std::string::npos);
    EXPECT_NE(wait_log("every service of the update rolled back"), std::string::npos);
    EXPECT_EQ(sys_->log.find("RS: update of 'hello' succeeded"), std::string::npos);
    // Both old versions go on, at their endpoints, with their counts.
    EXPECT_EQ(endpoint_of("hello"), hello);
    EXPECT_EQ(endpoint_of("tty"), tty);
    EXPECT_TRUE(serving("hello")) << service("list").out;
    EXPECT_TRUE(serving("tty")) << service("list").out;
    EXPECT_EQ(restarts("hello"), hello_restarts);
    EXPECT_EQ(restarts("tty"), tty_restarts);
    EXPECT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    EXPECT_EQ(count_in_ps("hello"), 1) << sys_->ps().out;
    EXPECT_EQ(count_in_ps("tty"), 1) << sys_->ps().out;
}

TEST_F(RsMultiSystem, UpdStopDropsTheQueue) {
    ASSERT_EQ(service("update self -label hello -q").status, 0);
    CliResult r = service("sysctl upd_stop");
    EXPECT_EQ(r.status, 0) << r.out;
    r = service("sysctl upd_run");
    EXPECT_EQ(r.status, 22) << r.out;
    EXPECT_EQ(count_in_ps("hello"), 1);
}

// The old version killed by the host (kill -9) while its update waits for
// the new version, which hangs in its init (-z): the requester is answered
// and hello is restarted like any crash, and serves again.
TEST_F(RsMultiSystem, OldHelloKilledDuringItsUpdateIsRestarted) {
    ASSERT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    const pid_t old_pid = sys_->host_pid("hello");
    ASSERT_GT(old_pid, 0);
    CliResult upd;
    std::thread t([&] { upd = service("update self -label hello -maxtime 5HZ -z"); });
    // Swapped: the new version initializes (and hangs) at hello's endpoint.
    bool swapped = wait_log("sef: simulating a hang at initialization time") != std::string::npos;
    ASSERT_EQ(kill(old_pid, SIGKILL), 0);
    t.join();
    ASSERT_TRUE(swapped);
    EXPECT_NE(upd.status, 0) << upd.out;
    EXPECT_TRUE(upd.status == 85 || upd.status == 4) << upd.out;  // ERESTART / EINTR
    EXPECT_TRUE(eventually([&] { return serving("hello"); }, 15s)) << service("list").out;
    EXPECT_TRUE(eventually([&] { return cat("/dev/hello").out == "Hello, World!\n"; }, 10s));
    EXPECT_EQ(count_in_ps("hello"), 1) << sys_->ps().out;
}

// The same while the old version prepares for a state it never reaches.
TEST_F(RsMultiSystem, OldVersionKilledWhilePreparingIsRestarted) {
    ASSERT_EQ(service("up rs_victim -label slow -args neverready").status, 0);
    const int ep = endpoint_of("slow");
    const pid_t old_pid = sys_->host_pid("rs_victim");
    ASSERT_GT(old_pid, 0);
    CliResult upd;
    std::thread t([&] { upd = service("update self -label slow -state 2 -maxtime 10HZ"); });
    bool updating = eventually([&] { return flags("slow").find('U') != std::string::npos; }, 5s);
    std::this_thread::sleep_for(300ms);
    ASSERT_EQ(kill(old_pid, SIGKILL), 0);
    t.join();
    ASSERT_TRUE(updating);
    EXPECT_EQ(upd.status, 85) << upd.out;  // ERESTART
    EXPECT_TRUE(eventually(
        [&] {
            int now = endpoint_of("slow");
            return now > 0 && now != ep && serving("slow");
        },
        15s))
        << service("list").out;
    ASSERT_EQ(service("down slow").status, 0);
    EXPECT_TRUE(eventually([&] { return count_in_ps("rs_victim") == 0; }, 5s));
}

// The new version killed (host kill -9) while it hangs in its init at
// hello's endpoint: rolled back, the old version goes on at its endpoint
// with its restart count and its open counter.
TEST_F(RsMultiSystem, NewHelloKilledInItsInitRollsBack) {
    ASSERT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    const int ep = endpoint_of("hello");
    const std::string count = restarts("hello");
    const pid_t old_pid = sys_->host_pid("hello");
    CliResult upd;
    std::thread t([&] { upd = service("update self -label hello -maxtime 10HZ -z"); });
    bool hung = wait_log("sef: simulating a hang at initialization time") != std::string::npos;
    pid_t new_pid = 0;
    for (pid_t p : host_pids("hello"))
        if (p != old_pid) new_pid = p;
    if (new_pid > 0) kill(new_pid, SIGKILL);
    t.join();
    ASSERT_TRUE(hung);
    ASSERT_GT(new_pid, 0) << sys_->ps().out;
    EXPECT_EQ(upd.status, 85) << upd.out;  // ERESTART: rolled back
    EXPECT_EQ(endpoint_of("hello"), ep);
    EXPECT_EQ(restarts("hello"), count);
    EXPECT_TRUE(serving("hello")) << service("list").out;
    EXPECT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    EXPECT_NE(wait_log("Called 2 time(s)"), std::string::npos);  // the old version's counter
    EXPECT_EQ(host_pids("hello"), std::vector<pid_t>{old_pid});
}

// TTY's old version killed after the swap: TTY is restarted and the
// services' log lines reach the log again.
TEST_F(RsMultiSystem, OldTtyKilledDuringItsUpdateIsRestarted) {
    const pid_t old_pid = sys_->host_pid("tty");
    ASSERT_GT(old_pid, 0);
    CliResult upd;
    std::thread t([&] { upd = service("update self -label tty -maxtime 5HZ -z"); });
    // TTY's own "hang" line may not make it out (TTY is what hangs): wait
    // for the swap through RS's table instead.
    bool updating = eventually([&] { return flags("tty").find('U') != std::string::npos; }, 5s);
    std::this_thread::sleep_for(300ms);
    ASSERT_EQ(kill(old_pid, SIGKILL), 0);
    t.join();
    ASSERT_TRUE(updating);
    EXPECT_TRUE(upd.status == 85 || upd.status == 4) << upd.out;
    EXPECT_TRUE(eventually([&] { return serving("tty"); }, 15s)) << service("list").out;
    // A service's log line written after the restart gets through (hello's
    // first open in this test).
    const std::size_t restarted = wait_log("RS: service 'tty' restarted");
    ASSERT_NE(restarted, std::string::npos);
    EXPECT_TRUE(eventually([&] { return cat("/dev/hello").status == 0; }, 10s));
    EXPECT_NE(wait_log("hello_open(). Called 1 time(s)", restarted), std::string::npos);
}

// -x / -y / -z: the old version goes on with its endpoint, restart count
// and state (hello's open counter).
class RsMultiSystemForced : public RsMultiSystem,
                            public ::testing::WithParamInterface<std::pair<const char*, int>> {};

TEST_P(RsMultiSystemForced, OldVersionKeepsEndpointCountAndState) {
    ASSERT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    const int ep = endpoint_of("hello");
    const std::string count = restarts("hello");
    auto [flag, expected] = GetParam();
    CliResult r = service(std::string("update self -label hello -maxtime 1HZ ") + flag);
    EXPECT_EQ(r.status, expected) << r.out;
    EXPECT_EQ(endpoint_of("hello"), ep);
    EXPECT_EQ(restarts("hello"), count);
    EXPECT_TRUE(serving("hello")) << service("list").out;
    EXPECT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    EXPECT_NE(wait_log("Called 2 time(s)"), std::string::npos);
    EXPECT_EQ(count_in_ps("hello"), 1) << sys_->ps().out;
}

INSTANTIATE_TEST_SUITE_P(Flags, RsMultiSystemForced,
                         ::testing::Values(std::pair{"-y", 38}, std::pair{"-x", 85},
                                           std::pair{"-z", 4}),
                         [](const auto& info) { return std::string(info.param.first + 1); });

// RS in the set: the new RS initializes first, hello is updated, then RS
// swaps itself and the new RS answers; with -y on RS nothing is updated.
TEST_F(RsMultiSystem, RsAndHelloUpdateAsOne) {
    ASSERT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    const int hello = endpoint_of("hello");
    const pid_t old_rs = sys_->host_pid("rs");
    ASSERT_GT(old_rs, 0);
    ASSERT_EQ(service("update self -label rs -q -maxtime 5HZ").status, 0);
    ASSERT_EQ(service("update self -label hello -q -maxtime 5HZ").status, 0);
    CliResult r = service("sysctl upd_run");
    ASSERT_EQ(r.status, 0) << r.out;
    const std::size_t hello_ok = wait_log("RS: update of 'hello' succeeded");
    const std::size_t rs_ok = wait_log("RS: update of 'rs' succeeded");
    ASSERT_NE(hello_ok, std::string::npos);
    ASSERT_NE(rs_ok, std::string::npos);
    EXPECT_LT(hello_ok, rs_ok);  // RS swaps last
    EXPECT_NE(sys_->host_pid("rs"), old_rs);
    EXPECT_EQ(endpoint_of("hello"), hello);
    EXPECT_TRUE(serving("hello"));
    EXPECT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    EXPECT_NE(wait_log("Called 2 time(s)"), std::string::npos);
}

TEST_F(RsMultiSystem, RsMinusYInTheSetUpdatesNothing) {
    const int hello = endpoint_of("hello");
    const pid_t old_rs = sys_->host_pid("rs");
    ASSERT_EQ(service("update self -label hello -q -maxtime 5HZ").status, 0);
    ASSERT_EQ(service("update self -label rs -q -maxtime 5HZ -y").status, 0);
    CliResult r = service("sysctl upd_run");
    EXPECT_EQ(r.status, 38) << r.out;  // ENOSYS
    EXPECT_EQ(sys_->host_pid("rs"), old_rs);
    EXPECT_EQ(endpoint_of("hello"), hello);
    EXPECT_TRUE(serving("hello"));
    EXPECT_EQ(sys_->log.find("RS: update of 'hello' succeeded"), std::string::npos);
    EXPECT_EQ(count_in_ps("hello"), 1) << sys_->ps().out;
    EXPECT_EQ(cat("/dev/hello").out, "Hello, World!\n");
}

// Three members, the third (a service started after boot) failing its
// init: hello and TTY, already swapped and initialized, go back too.
TEST_F(RsMultiSystem, ThirdMemberFailingRollsAllThreeBack) {
    ASSERT_EQ(service("up rs_victim -label third -args good").status, 0);
    const int hello = endpoint_of("hello"), tty = endpoint_of("tty"), third = endpoint_of("third");
    ASSERT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    ASSERT_EQ(service("update self -label hello -q -maxtime 3HZ").status, 0);
    ASSERT_EQ(service("update self -label tty -q -maxtime 3HZ").status, 0);
    ASSERT_EQ(service("update self -label third -q -maxtime 3HZ -y").status, 0);
    CliResult r = service("sysctl upd_run");
    EXPECT_EQ(r.status, 38) << r.out;  // ENOSYS, the third's init error
    EXPECT_NE(wait_log("RS: update of 'third' failed"), std::string::npos);
    EXPECT_EQ(sys_->log.find("succeeded"), std::string::npos) << sys_->log.text();
    EXPECT_EQ(endpoint_of("hello"), hello);
    EXPECT_EQ(endpoint_of("tty"), tty);
    EXPECT_EQ(endpoint_of("third"), third);
    for (const char* l : {"hello", "tty", "third"})
        EXPECT_TRUE(serving(l)) << l << "\n" << service("list").out;
    EXPECT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    EXPECT_NE(wait_log("Called 2 time(s)"), std::string::npos);  // hello's old state
    EXPECT_EQ(count_in_ps("hello"), 1) << sys_->ps().out;
    EXPECT_EQ(count_in_ps("rs_victim"), 1) << sys_->ps().out;
    ASSERT_EQ(service("down third").status, 0);
    EXPECT_TRUE(eventually([&] { return count_in_ps("rs_victim") == 0; }, 5s));
}

}  // namespace
