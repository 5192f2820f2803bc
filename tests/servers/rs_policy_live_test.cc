// Restart policies, fault injection and the full service list on the real
// system (etc/boot.conf booted with `umk boot`): `service fi`, a service
// under `-policy restart` keeping its endpoint with a client's request
// queued across the crash, a replica whose init fails swapped back, devman
// (a fixed slot) restarted in place, and RS's own row in `service list`.
#include <signal.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>

#include "booted_system.h"

namespace {

using namespace std::chrono_literals;

using umk_test::CliResult;
using umk_test::eventually;

class RsPolicySystem : public umk_test::DefaultSystemTest {
  protected:
    std::string field(const std::string& label, int f) { return sys_->list_field(label, f); }
    bool active(const std::string& label) { return field(label, 3).find('A') != std::string::npos; }
    // A whole row of `service list` split in words, empty if not listed.
    std::vector<std::string> row(const std::string& label) {
        std::istringstream in(service("list").out);
        for (std::string line; std::getline(in, line);) {
            std::istringstream w(line);
            std::vector<std::string> f;
            for (std::string x; w >> x;) f.push_back(x);
            if (!f.empty() && f[0] == label) return f;
        }
        return {};
    }
    std::size_t wait_log(const std::string& what, std::size_t from = 0,
                         std::chrono::milliseconds limit = 10s) {
        return sys_->log.wait_find(what, from, limit);
    }
    std::size_t lines() { return static_cast<std::size_t>(sys_->log.count("")); }
};

TEST_F(RsPolicySystem, FiCrashesTheServiceAndRsRestartsIt) {
    ASSERT_EQ(cat("/dev/hello").status, 0);
    const int ep = endpoint_of("hello");
    const std::size_t from = lines();
    CliResult r = service("fi hello");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(wait_log("sef: simulating a crash on request (service fi)", from), std::string::npos)
        << "hello did not crash on request";
    ASSERT_TRUE(eventually(
        [&] {
            int now = endpoint_of("hello");
            return now > 0 && now != ep && active("hello");  // reset policy: a new endpoint
        },
        15s))
        << service("list").out;
    EXPECT_EQ(field("hello", 1), "1");
    EXPECT_NE(wait_log("RS: service 'hello' restarted", from), std::string::npos);
    EXPECT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    EXPECT_EQ(service("fi nosuch").status, 3);  // ESRCH
}

// Under `restart` the replica takes over the endpoint: a request sent while
// hello is dead (held back by the backoff of a second crash) waits at the
// endpoint and is answered by the replica; nothing fails, nothing changes
// endpoint.
TEST_F(RsPolicySystem, RestartPolicyKeepsTheEndpointAndTheQueuedRequestIsServed) {
    ASSERT_EQ(service("down hello").status, 0);
    CliResult r = service("up hello -policy restart");
    ASSERT_EQ(r.status, 0) << r.out;
    const int ep = endpoint_of("hello");
    ASSERT_GT(ep, 0);
    EXPECT_EQ(row("hello").at(6), "restart") << service("list").out;  // POLICY
    ASSERT_EQ(cat("/dev/hello").out, "Hello, World!\n");

    // First crash: restarted at once, in place.
    ASSERT_EQ(service("fi hello").status, 0);
    ASSERT_TRUE(eventually([&] { return field("hello", 1) == "1" && active("hello"); }, 15s))
        << service("list").out;
    EXPECT_EQ(endpoint_of("hello"), ep);
    EXPECT_NE(wait_log("policy restart: same endpoint"), std::string::npos);

    // Second crash: the replica comes after the backoff (2 RS periods);
    // meanwhile a client opens /dev/hello, and devman's request queues at
    // the dead endpoint.
    const int pid = std::stoi(field("hello", 4));
    ASSERT_GT(pid, 0);
    const std::size_t from = lines();
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    ASSERT_NE(wait_log("restarting 'hello' in", from), std::string::npos) << "no backoff";
    CliResult c = cat("/dev/hello");
    EXPECT_EQ(c.status, 0) << c.out;
    EXPECT_EQ(c.out, "Hello, World!\n");
    EXPECT_EQ(endpoint_of("hello"), ep);
    EXPECT_EQ(field("hello", 1), "2");
    EXPECT_NE(wait_log("RS: service 'hello' restarted", from), std::string::npos);
    // hello's own lines are in order: the replica's init, then the open.
    const std::size_t replica = wait_log("just been restarted", from);
    ASSERT_NE(replica, std::string::npos);
    EXPECT_NE(wait_log("hello_open(). Called", replica), std::string::npos)
        << "the replica did not serve the queued open";
}

// A replica whose init fails is swapped back: the dead image keeps the
// endpoint, and the next replica (after the backoff) takes over from it.
TEST_F(RsPolicySystem, AReplicaWhoseInitFailsIsSwappedBackAndTheNextOneServes) {
    CliResult r = service("up rs_victim -label vr -args replicafail -policy restart");
    ASSERT_EQ(r.status, 0) << r.out;
    const int ep = endpoint_of("vr");
    ASSERT_GT(ep, 0);
    // It crashes half a second after its init; its first replica fails.
    ASSERT_NE(wait_log("replica of 'vr' failed (ENOSYS): swapped back"), std::string::npos)
        << service("list").out;
    ASSERT_TRUE(eventually([&] { return field("vr", 1) == "2" && active("vr"); }, 15s))
        << service("list").out;
    EXPECT_EQ(endpoint_of("vr"), ep);
    ASSERT_EQ(service("down vr").status, 0);
    EXPECT_TRUE(eventually([&] { return sys_->host_pid("rs_victim") == 0; }, 5s)) << sys_->ps().out;
}

// devman sits at DEVMAN_PROC_NR, which every user program uses: restarted
// in place, user programs work again.
TEST_F(RsPolicySystem, UserProgramsWorkAfterADevmanCrash) {
    ASSERT_EQ(cat("/dev/hello").out, "Hello, World!\n");
    EXPECT_EQ(row("devman").at(6), "restart") << service("list").out;
    const int pid = sys_->host_pid("devman");
    ASSERT_GT(pid, 0);
    const std::size_t from = lines();
    ASSERT_EQ(kill(pid, SIGSEGV), 0);
    ASSERT_NE(wait_log("RS: service 'devman' restarted", from), std::string::npos)
        << service("list").out;
    EXPECT_EQ(endpoint_of("devman"), 1);
    EXPECT_TRUE(eventually([&] { return cat("/dev/hello").out == "Hello, World!\n"; }, 10s))
        << cat("/dev/hello").out;
}

// DS dead (restarted in place, in its backoff while its replicas fail):
// RS never calls it meanwhile, so RS keeps answering.
TEST_F(RsPolicySystem, RsKeepsAnsweringWhileDsIsDown) {
    const int pid = sys_->host_pid("ds");
    ASSERT_GT(pid, 0);
    const std::size_t from = lines();
    ASSERT_EQ(kill(pid, SIGSEGV), 0);
    ASSERT_NE(wait_log("RS: service 'ds' (endpoint 6) got SIGSEGV", from), std::string::npos);
    for (int i = 0; i < 5; ++i) {
        CliResult l = service("list");
        ASSERT_EQ(l.status, 0) << l.out;
        EXPECT_NE(l.out.find("ds                      6"), std::string::npos) << l.out;
        EXPECT_EQ(endpoint_of("hello"), 10);
        std::this_thread::sleep_for(200ms);
    }
}

// `service restart pm|vm` is answered - OK once the replica serves, or its
// init's error (RS then goes on trying in the background) - never left
// hanging; RS answers afterwards.
TEST_F(RsPolicySystem, RestartOfPmOrVmIsAlwaysAnswered) {
    for (const char* l : {"vm", "pm"}) {
        CliResult r = service(std::string("restart ") + l);
        EXPECT_NE(r.status, -1) << l << ": no answer: " << r.out;
        EXPECT_TRUE(r.status == 0 || r.status == 38) << l << ": " << r.out;  // OK or ENOSYS
        CliResult list = service("list");
        EXPECT_EQ(list.status, 0) << list.out;
        EXPECT_EQ(row(l).at(1), std::string(std::string(l) == "pm" ? "0" : "8"));  // in place
    }
}

TEST_F(RsPolicySystem, ListShowsRsAndEveryPolicy) {
    std::vector<std::string> rs = row("rs");
    ASSERT_EQ(rs.size(), 8u) << service("list").out;
    EXPECT_EQ(rs[1], "2");  // RS_PROC_NR
    EXPECT_NE(rs[4].find('A'), std::string::npos);
    EXPECT_NE(rs[4].find('s'), std::string::npos);
    EXPECT_EQ(rs[5], std::to_string(sys_->host_pid("rs")));
    EXPECT_EQ(rs[6], "restart");
    for (const char* l : {"pm", "vm", "ds", "devman", "tty"})
        EXPECT_EQ(row(l).at(6), "restart") << l;
    EXPECT_EQ(row("hello").at(6), "reset");
    // The legend of the flags is in the help.
    CliResult h = umk_test::run_umk({"help", "service"});
    EXPECT_NE(h.out.find("FLAGS"), std::string::npos) << h.out;
    EXPECT_NE(h.out.find("T terminated"), std::string::npos) << h.out;
    EXPECT_NE(h.out.find("fi L"), std::string::npos) << h.out;
}

}  // namespace
