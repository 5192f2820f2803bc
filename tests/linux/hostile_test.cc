// A service that rewrites its SlotPage while the kernel handles its call
// gets no more than the request the kernel snapshotted, and hurts nobody.
#include <regex>

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

}  // namespace
}  // namespace umk_test
