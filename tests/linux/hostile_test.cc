// A service that rewrites its SlotPage while the kernel handles its call
// gets no more than the request the kernel snapshotted, and hurts nobody.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <thread>

#include "booted_system.h"
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
// and IPC with hostile fields through the real trap, in a booted `umk`
// (its own process, so a kernel death shows as that process dying). With
// the privileges of an ordinary system process it must not hurt anybody:
// the kernel survives and pong keeps answering. With every privilege it
// may kill or stop the others, and even itself, but never the kernel: the
// kernel still stops cleanly on SIGTERM. UMK_FUZZ_CALLS sets the number of
// traps (default 20000; README.md's long run uses 1000000).
class HostileFuzz : public BootedSystemTest, public ::testing::WithParamInterface<bool> {
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
    // ping (test_ping) makes 2000 SENDRECs to pong while the fuzzer runs,
    // each answer checked: the proof that the others are still served.
    std::snprintf(cfg, sizeof cfg, R"(
proc 0 tsm  program=test_sigmgr sys ipc=all calls=all sigmgr=SELF
proc 1 pong program=test_pong sys sigmgr=tsm
proc 2 ping program=test_ping sys sigmgr=tsm args=pong args=2000
proc 3 fuzz program=test_fuzz sys %s sigmgr=tsm args=%d,%ld
)",
                  all ? "ipc=all calls=all" : "", all ? 7 : 5, calls());
    BootedSystem& sys = boot({.config_text = cfg, .control_socket = false});
    // With every privilege the fuzzer may end itself (a SAFECOPY into its
    // own variables, its manager killed): then the kernel has said so.
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(30 + calls() / 5000);
    while (sys.log.count("fuzz: done") == 0 &&
           (!all || sys.log.count("fuzz (endpoint 3) got SIG") == 0)) {
        ASSERT_FALSE(sys.wait_exit(std::chrono::milliseconds(20))) << "the kernel died";
        ASSERT_LT(std::chrono::steady_clock::now(), limit)
            << "the fuzzer neither finished nor died";
    }
    std::string line;
    if (sys.log.wait_for("fuzz: done", &line, std::chrono::milliseconds(1)) ||
        sys.log.wait_for("fuzz (endpoint 3) got SIG", &line, std::chrono::milliseconds(1)))
        std::printf("%s\n", line.c_str());  // what the fuzzer got through, for the record
    EXPECT_EQ(sys.log.count("kernel panic"), 0);
    EXPECT_EQ(sys.log.count("runtime error"), 0);  // UBSan, in the debug preset
    EXPECT_EQ(sys.log.count("AddressSanitizer"), 0);
    if (!all) {
        EXPECT_TRUE(sys.log.wait_for("ping: done", nullptr, std::chrono::seconds(20)));
    }
    EXPECT_FALSE(sys.wait_exit(std::chrono::milliseconds(100))) << "the kernel died";
    // stop() (SIGTERM) fails the test if the kernel does not end by itself.
}

INSTANTIATE_TEST_SUITE_P(Privileges, HostileFuzz, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "AllCalls" : "Default"; });

}  // namespace
}  // namespace umk_test
