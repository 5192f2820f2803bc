// A service that rewrites its SlotPage while the kernel handles its call
// gets no more than the request the kernel snapshotted, and hurts nobody.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <thread>

#include "harness.h"
#include "svc_util.h"

namespace umk_test {
namespace {

using umk::message;
using umk::OK;

TEST_F(HostTest, SnapshotDefeatsPageRewriting) {
    boot(R"(
proc 1 sink    program=test_sink sys
proc 2 hostile program=test_hostile sys args=400
client 9 bench sys ipc=all
)");
    std::string line;
    ASSERT_TRUE(log.wait_for("hostile: done", &line, 20s));
    std::smatch mt;
    ASSERT_TRUE(std::regex_search(line, mt, std::regex(R"(done (\d+) rounds, (\d+) accepted)")))
        << line;
    // Exactly the accepted sends reached the sink: none twice, none made up.
    message m{};
    m.m_type = test_svc::PING;
    ASSERT_EQ(host->client("bench")->sendrec(ep("sink"), &m), OK);
    EXPECT_EQ(m.m1_i1, std::stoi(mt[2])) << line;
    EXPECT_EQ(log.count("umk: kernel panic"), 0);
}

// The fuzzer service (tests/services/test_fuzz.cc) makes random kernel calls
// and IPC with hostile fields through the real trap. With the privileges of
// an ordinary system process it must not hurt anybody: the kernel survives
// and pong keeps answering. With every privilege it may kill or stop the
// others, but never the kernel. UMK_FUZZ_CALLS sets the number of traps
// (default 20000; the long run in README.md uses 1000000).
class HostileFuzz : public HostTest, public ::testing::WithParamInterface<bool> {
  protected:
    static long calls() {
        const char* s = std::getenv("UMK_FUZZ_CALLS");
        const long n = s ? std::atol(s) : 0;
        return n > 0 ? n : 20000;
    }
};

TEST_P(HostileFuzz, RandomTrapsNeverBreakTheKernel) {
    const bool all = GetParam();
    char cfg[512];
    std::snprintf(cfg, sizeof cfg, R"(
proc 0 tsm  program=test_sigmgr sys ipc=all calls=all sigmgr=SELF
proc 1 pong program=test_pong sys sigmgr=tsm
proc 3 fuzz program=test_fuzz sys %s sigmgr=tsm args=%d,%ld
client 9 bench sys ipc=all
)",
                  all ? "ipc=all calls=all" : "", all ? 7 : 5, calls());
    boot(cfg);
    // With every privilege the fuzzer may end itself (a SAFECOPY into its
    // own variables, its manager killed): then the kernel has said so.
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(30 + calls() / 5000);
    while (log.count("fuzz: done") == 0 && (!all || log.count("fuzz (endpoint 3) got SIG") == 0)) {
        ASSERT_LT(std::chrono::steady_clock::now(), limit)
            << "the fuzzer neither finished nor died";
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(log.count("umk: kernel panic"), 0);
    // The kernel still answers a kernel call of somebody else.
    message m{};
    m.T_ENDPT = umk::SELF;
    EXPECT_EQ(host->client("bench")->kernel_call(umk::SYS_TIMES, &m), OK);
    if (!all) {
        m = message{};
        m.m_type = test_svc::PING;
        m.m1_i1 = 7;
        ASSERT_EQ(host->client("bench")->sendrec(ep("pong"), &m), OK);
        EXPECT_EQ(m.m1_i1, 7);
    }
}

INSTANTIATE_TEST_SUITE_P(Privileges, HostileFuzz, ::testing::Values(false),
                         [](const auto& info) { return info.param ? "AllCalls" : "Default"; });

}  // namespace
}  // namespace umk_test
