// RS's table and the start of services (servers/rs/table.cc) on a fake
// Host: up spawns, configures, publishes and answers after the init (or
// with the init's or the spawn's error), and the boot services' inits and
// labels wait for DS.
#include <gtest/gtest.h>

#include <string>

#include "rs_manager_fixture.h"
#include "umk/sig.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"

namespace umk::rs {
namespace {

using namespace testing;  // RsManager, its endpoints and FakeHost (rs_manager_fixture.h)

TEST_F(RsManager, UpSpawnsConfiguresPublishesAndRepliesAfterInit) {
    rs_start st = make_start("/bin/hello");
    ASSERT_EQ(request(RS_UP, &st), -EDONTREPLY);
    endpoint_t ep = h_.next_ep - 1;
    EXPECT_TRUE(h_.saw("spawn /bin/hello " + std::to_string(ep)));
    EXPECT_TRUE(h_.saw("set_priv " + std::to_string(ep)));
    EXPECT_TRUE(h_.saw("publish hello " + std::to_string(ep)));
    EXPECT_TRUE(h_.saw("allow " + std::to_string(ep)));
    EXPECT_TRUE(h_.saw("init " + std::to_string(ep) +
                       " type=0 restarts=0 old=" + std::to_string(NONE) + " debug=0"));
    EXPECT_EQ(h_.count_prefix("reply " + std::to_string(CLIENT)), 0);  // not before init
    m_.init_reply(ep, OK);
    EXPECT_TRUE(h_.saw(reply_to(ep, OK, NONE)));  // the service's init SENDREC
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, OK, ep)));
    Request rq{RS_LOOKUP, CLIENT, nullptr, "hello"};
    endpoint_t found;
    EXPECT_EQ(m_.request(rq, &found), OK);
    EXPECT_EQ(found, ep);
    const Service* s = m_.by_endpoint(ep);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->period, 10);  // from system.conf
}

TEST_F(RsManager, UpWhoseInitFailsReportsTheInitErrorAndCleansUp) {
    rs_start st = make_start("/bin/hello");
    ASSERT_EQ(request(RS_UP, &st), -EDONTREPLY);
    endpoint_t ep = h_.next_ep - 1;
    m_.init_reply(ep, -ENOSYS);
    EXPECT_TRUE(h_.saw(reply_to(CLIENT, -ENOSYS, ep)));
    EXPECT_TRUE(h_.saw("clear " + std::to_string(ep)));
    EXPECT_EQ(m_.find_active("hello"), nullptr);
    EXPECT_EQ(m_.signal(ep, SIGKILL), -EDEADSRCDST);  // the kernel's late signal is ignored
    EXPECT_EQ(h_.count_prefix("spawn"), 1);           // a fresh start is not retried
}

TEST_F(RsManager, UpWhoseSpawnFailsAnswersAtOnce) {
    h_.spawn_error = -ENOENT;
    rs_start st = make_start("/bin/nosuch");
    EXPECT_EQ(request(RS_UP, &st), -ENOENT);
    EXPECT_EQ(m_.records_in_use(), 1);  // ds only
}

TEST_F(RsManager, LabelsWaitForDs) {
    auto owner = std::make_unique<Manager>();  // big: the table and the state block
    Manager& m = *owner;
    FakeHost h;
    m.init(h, &cfg_, RS_EP);
    ASSERT_EQ(m.adopt_boot("ds", DS_EP), OK);
    ASSERT_EQ(m.adopt_boot("hello", 7), OK);
    m.boot_done();
    EXPECT_TRUE(h.saw("init 6 type=0 restarts=0 old=" + std::to_string(NONE) + " debug=0"));
    // hello's init waits for DS: it may publish in DS only once its label is there.
    EXPECT_EQ(h.count_prefix("init 7"), 0);
    EXPECT_EQ(h.count_prefix("publish"), 0);  // DS is not up: sending to it would deadlock
    m.init_reply(DS_EP, OK);
    EXPECT_TRUE(h.saw("publish rs 2"));
    EXPECT_TRUE(h.saw("publish ds 6"));
    EXPECT_TRUE(h.saw("publish hello 7"));
    EXPECT_EQ(h.count_prefix("init 7"), 1);
    m.init_reply(7, OK);
    EXPECT_NE(m.find_active("hello"), nullptr);
}

TEST_F(RsManager, BootWithoutDsInitializesEverybodyAtOnce) {
    auto owner = std::make_unique<Manager>();  // big: the table and the state block
    Manager& m = *owner;
    FakeHost h;
    m.init(h, &cfg_, RS_EP);
    ASSERT_EQ(m.adopt_boot("hello", 7), OK);
    EXPECT_EQ(h.count_prefix("init 7"), 0);
    m.boot_done();
    EXPECT_EQ(h.count_prefix("init 7"), 1);
}

}  // namespace
}  // namespace umk::rs
