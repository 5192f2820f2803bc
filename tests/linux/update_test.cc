// A live update (sys_update) between two real processes while a third one
// keeps sending: no request is lost or answered twice.
#include <regex>

#include "harness.h"
#include "svc_util.h"
#include "umk/com.h"

namespace umk_test {
namespace {

using umk::message;
using umk::OK;

TEST_F(HostTest, LiveUpdateUnderTrafficLosesNothing) {
    boot(R"(
proc 0 tsm   program=test_sigmgr sys ipc=all calls=all sigmgr=SELF
proc 1 pong  program=test_pong sys sigmgr=tsm args=1
proc 2 pong2 program=test_pong sys sigmgr=tsm args=2
proc 3 ping  program=test_ping sys sigmgr=tsm args="pong 20000"
client 9 rs  sys ipc=all calls=all
)");
    ASSERT_TRUE(log.wait_for("pong: up, version 2"));
    ASSERT_TRUE(log.wait_for("ping: progress 1000"));  // version 1 has been answering
    umk::linux_host::Client* rs = host->client("rs");
    const umk::endpoint_t old_ep = ep("pong"), new_ep = ep("pong2");
    int r = -EBUSY, tries = 0;
    while (r == -EBUSY && tries++ < 100000) {
        message m{};
        m.SYS_UPD_SRC_ENDPT = old_ep;
        m.SYS_UPD_DST_ENDPT = new_ep;
        r = rs->kernel_call(umk::SYS_UPDATE, &m);
    }
    ASSERT_EQ(r, OK) << "after " << tries << " tries";
    std::string line;
    ASSERT_TRUE(log.wait_for("ping: done", &line, 30s));
    std::smatch mt;
    ASSERT_TRUE(std::regex_search(
        line, mt,
        std::regex(R"(done (\d+)/20000 ok, (\d+) bad, (\d+) errors, v1 (\d+), v2 (\d+))")))
        << line;
    EXPECT_EQ(mt[1], "20000") << line;  // every request answered with its own id
    EXPECT_EQ(mt[2], "0") << line;
    EXPECT_EQ(mt[3], "0") << line;
    EXPECT_GE(std::stoi(mt[4]), 1000) << line;
    EXPECT_GT(std::stoi(mt[5]), 0) << "the new version never answered: " << line;
    // The endpoint stayed the same for the clients: a new request reaches version 2.
    message m{};
    m.m_type = test_svc::PING;
    m.m1_i1 = 7;
    ASSERT_EQ(rs->sendrec(old_ep, &m), OK);
    EXPECT_EQ(m.m1_i2, 2);
    EXPECT_EQ(m.m_source, old_ep);
}

}  // namespace
}  // namespace umk_test
