// DS's live update, its rollbacks and its crash in a booted system (the
// default boot config, with the control socket): the store - st_dskeep's
// entries, its subscription, RS's labels, hello's /dev/hello announcement -
// must be there afterwards, as the probe st_dsprobe and `umk cat` show.
#include <signal.h>

#include <chrono>
#include <string>

#include "booted_system.h"

namespace {

using namespace std::chrono_literals;
using umk_test::CliResult;
using umk_test::eventually;

class DsLive : public umk_test::BootedSystemTest {
  protected:
    void SetUp() override {
        boot({.config_path = umk_test::default_boot_conf()});
        ASSERT_TRUE(eventually([&] { return sys_->service("lookup hello").status == 0; }, 15s))
            << "system did not come up";
        CliResult r = sys_->service("up st_dskeep -label keep");
        ASSERT_EQ(r.status, 0) << r.out;
        ASSERT_TRUE(sys_->log.wait_for("DSKEEP: published and subscribed: 0", nullptr, 10s));
        ASSERT_EQ(sys_->cat("/dev/hello").status, 0);
    }

    // A new probe reads the store and pings st_dskeep's subscription.
    void expect_store_intact(const std::string& probe) {
        CliResult r = sys_->service("up st_dsprobe -label " + probe);
        ASSERT_EQ(r.status, 0) << r.out;
        std::string line;
        ASSERT_TRUE(sys_->log.wait_for("DSPROBE: keep.u32", &line, 10s));
        EXPECT_NE(sys_->log.find("DSPROBE: keep.u32 4242 (0) keep.str 'kept across' (0) hello 10 "
                                 "(0)"),
                  std::string::npos)
            << line;
        EXPECT_NE(sys_->log.wait_find("DSKEEP: ping keep.ping." + probe), std::string::npos)
            << "st_dskeep's subscription did not come across";
        CliResult c = sys_->cat("/dev/hello");
        EXPECT_EQ(c.status, 0) << c.out;
        EXPECT_NE(c.out.find("Hello, World!"), std::string::npos) << c.out;
        EXPECT_EQ(sys_->service("lookup " + probe).status, 0);
    }
};

TEST_F(DsLive, UpdateKeepsTheWholeStore) {
    const std::string old_pid = sys_->list_field("ds", 4);
    const auto t0 = std::chrono::steady_clock::now();
    CliResult r = sys_->service("update self -label ds");
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    ASSERT_EQ(r.status, 0) << r.out;
    std::printf("ds live update (CLI round trip): %lld ms\n", static_cast<long long>(ms));
    EXPECT_TRUE(sys_->log.wait_for("RS: update of 'ds' succeeded"));
    EXPECT_TRUE(sys_->log.wait_for("ds: store restored"));
    EXPECT_EQ(sys_->log.count("dropped as damaged") -
                  sys_->log.count("(0 entries, 0 subscriptions dropped as damaged)"),
              0);
    EXPECT_EQ(sys_->list_field("ds", 0), "6");  // its endpoint
    EXPECT_EQ(sys_->list_field("ds", 1), "0");  // not a restart
    EXPECT_NE(sys_->list_field("ds", 4), old_pid);
    expect_store_intact("probe1");
    // And again: the new version's checkpoints are as good.
    ASSERT_EQ(sys_->service("update self -label ds").status, 0);
    expect_store_intact("probe2");
}

TEST_F(DsLive, RollbacksKeepTheOldVersionAndItsStore) {
    const std::string old_pid = sys_->list_field("ds", 4);
    EXPECT_EQ(sys_->service("update self -label ds -x").status, 85);  // ERESTART: crashed
    EXPECT_EQ(sys_->service("update self -label ds -y").status, 38);  // ENOSYS: init failed
    EXPECT_EQ(sys_->service("update self -label ds -z").status, 4);   // EINTR: hung
    EXPECT_TRUE(eventually([&] { return sys_->log.count("rolled back") == 3; }))
        << "three rollbacks";
    EXPECT_EQ(sys_->list_field("ds", 4), old_pid) << "the old version must go on";
    EXPECT_EQ(sys_->list_field("ds", 0), "6");
    EXPECT_EQ(sys_->list_field("ds", 1), "0");
    expect_store_intact("probe1");
}

// A host SIGSEGV of DS (`restart` policy: the replica takes over endpoint 6
// and restores the dead instance's checkpoint).
TEST_F(DsLive, CrashKeepsTheWholeStore) {
    const int pid = std::stoi(sys_->list_field("ds", 4));
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(kill(pid, SIGSEGV), 0);
    ASSERT_TRUE(sys_->log.wait_for("RS: service 'ds' restarted", nullptr, 10s));
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    std::printf("ds crash to restarted: %lld ms\n", static_cast<long long>(ms));
    EXPECT_TRUE(sys_->log.wait_for("ds: store restored"));
    EXPECT_EQ(sys_->log.count("state of the previous instance lost"), 0);
    ASSERT_TRUE(eventually([&] { return sys_->list_field("ds", 1) == "1"; }));
    EXPECT_EQ(sys_->list_field("ds", 0), "6");
    expect_store_intact("probe1");
    EXPECT_EQ(sys_->service("list").status, 0);

    // The replica's own checkpoints are as good: a second crash (after the
    // backoff) and a live update of the replica keep the store too.
    ASSERT_EQ(kill(std::stoi(sys_->list_field("ds", 4)), SIGSEGV), 0);
    ASSERT_TRUE(eventually([&] { return sys_->list_field("ds", 1) == "2"; }));
    ASSERT_TRUE(eventually([&] { return sys_->log.count("ds: store restored") == 2; }));
    expect_store_intact("probe2");
    ASSERT_EQ(sys_->service("update self -label ds").status, 0);
    expect_store_intact("probe3");
}

// A host SIGKILL takes DS's memory with it, and so its checkpoints: the
// replica says so, starts empty, and RS republishes every label (services
// find each other again); the other entries are gone and say so cleanly
// (ESRCH), nothing hangs.
TEST_F(DsLive, HostKillLosesTheStoreSaysSoAndLabelsComeBack) {
    ASSERT_EQ(kill(std::stoi(sys_->list_field("ds", 4)), SIGKILL), 0);
    ASSERT_TRUE(sys_->log.wait_for("RS: service 'ds' restarted", nullptr, 10s));
    EXPECT_TRUE(sys_->log.wait_for(
        "ds: state of the previous instance lost (EFAULT: its memory is gone); starting empty"));
    EXPECT_EQ(sys_->list_field("ds", 0), "6");
    EXPECT_EQ(sys_->service("list").status, 0);
    ASSERT_EQ(sys_->service("up st_dsprobe -label probe1").status, 0);
    std::string line;
    ASSERT_TRUE(sys_->log.wait_for("DSPROBE: keep.u32", &line, 10s));
    EXPECT_NE(line.find("keep.u32 0 (-3) keep.str '' (-3) hello 10 (0)"), std::string::npos)
        << line;  // ESRCH for the lost entries; RS's label of hello is back
    EXPECT_NE(sys_->log.wait_find("DSPROBE: published keep.ping: 0"), std::string::npos);
}

}  // namespace
