// SENDREC between real processes and from a client thread; 64 services.
#include <chrono>
#include <cstdio>

#include "harness.h"
#include "svc_util.h"

namespace umk_test {
namespace {

using umk::message;
using umk::OK;

TEST_F(HostTest, PingPongBetweenTwoServices) {
    boot(R"(
proc 0 tsm  program=test_sigmgr sys ipc=all calls=all sigmgr=SELF
proc 1 pong program=test_pong sys sigmgr=tsm
proc 2 ping program=test_ping sys sigmgr=tsm args="pong 50"
)");
    EXPECT_TRUE(log.wait_for("ping: done 50/50 ok, 0 bad, 0 errors"));
}

TEST_F(HostTest, ClientSendrecToService) {
    boot(R"(
proc 1 pong program=test_pong sys
client 9 bench sys ipc=all
)");
    umk::linux_host::Client* c = host->client("bench");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->endpoint(), ep("bench"));
    for (int id = 1; id <= 100; ++id) {
        message m{};
        m.m_type = test_svc::PING;
        m.m1_i1 = id;
        ASSERT_EQ(c->sendrec(ep("pong"), &m), OK);
        EXPECT_EQ(m.m_type, test_svc::PONG);
        EXPECT_EQ(m.m1_i1, id);
        EXPECT_EQ(m.m_source, ep("pong"));
    }
}

TEST_F(HostTest, UnprivilegedClientIsRefused) {
    boot(R"(
proc 1 pong program=test_pong sys
client 9 nobody sys ipc=none
)");
    message m{};
    m.m_type = test_svc::PING;
    EXPECT_EQ(host->client("nobody")->sendrec(ep("pong"), &m), -ECALLDENIED);
}

TEST_F(HostTest, SixtyFourServicesAllAnswer) {
    // Boot privileges exist only for the first slots: like MINIX's RS, the
    // client gives the 64 services theirs with SYS_PRIVCTL.
    std::string cfg = "client 0 rs sys ipc=all calls=all\n";
    for (int i = 0; i < 64; ++i)
        cfg += "proc " + std::to_string(16 + i) + " pong" + std::to_string(i) +
               " program=test_pong args=" + std::to_string(i) + "\n";
    boot(cfg);
    umk::linux_host::Client* c = host->client("rs");
    for (int i = 0; i < 64; ++i) {
        for (int req : {umk::SYS_PRIV_SET_SYS, umk::SYS_PRIV_ALLOW}) {
            message m{};
            m.CTL_ENDPT = ep("pong" + std::to_string(i));
            m.CTL_REQUEST = req;
            ASSERT_EQ(c->kernel_call(umk::SYS_PRIVCTL, &m), OK) << "service " << i;
        }
    }
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 64; ++i) {
            message m{};
            m.m_type = test_svc::PING;
            m.m1_i1 = round * 1000 + i;
            ASSERT_EQ(c->sendrec(ep("pong" + std::to_string(i)), &m), OK) << "service " << i;
            EXPECT_EQ(m.m1_i1, round * 1000 + i);
            EXPECT_EQ(m.m1_i2, i);  // the version argument: the right process answered
        }
    }
}

// Not a pass/fail check (timings are noisy): prints the SENDREC round trip
// client thread -> kernel -> service -> kernel -> client next to a raw
// futex ping-pong between two threads, for the README.
TEST_F(HostTest, ReportsSendrecRoundTrip) {
    boot(R"(
proc 1 pong program=test_pong sys
client 9 bench sys ipc=all
)");
    umk::linux_host::Client* c = host->client("bench");
    const umk::endpoint_t pong = ep("pong");
    auto time_it = [&](int n) {
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < n; ++i) {
            message m{};
            m.m_type = test_svc::PING;
            m.m1_i1 = i;
            EXPECT_EQ(c->sendrec(pong, &m), OK);
        }
        return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0)
                   .count() /
               n;
    };
    time_it(200);  // warm up
    double us = time_it(3000);
    std::printf("SENDREC round trip (client thread <-> test_pong process via kernel): %.2f us\n",
                us);
    c->set_spin(0);
    double us_nospin = time_it(1000);
    std::printf("  same, client never spins: %.2f us\n", us_nospin);
}

}  // namespace
}  // namespace umk_test
