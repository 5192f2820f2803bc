// VM's live update (RS swaps VM with sys_update itself; the new VM takes
// its records over at init), its rollbacks and its crash in a booted
// system: afterwards user programs run (`umk cat /dev/hello`), other
// services can still be updated through VM, and VM's records came across
// (st_vminfo shows that hello's record still counts its update).
#include <signal.h>

#include <chrono>
#include <string>

#include "booted_system.h"

namespace {

using namespace std::chrono_literals;
using umk_test::CliResult;
using umk_test::eventually;

class VmLive : public umk_test::BootedSystemTest {
  protected:
    void SetUp() override {
        boot({.config_path = umk_test::default_boot_conf()});
        ASSERT_TRUE(eventually([&] { return sys_->service("lookup hello").status == 0; }, 15s))
            << "system did not come up";
        // One update of hello that VM counts in hello's record.
        ASSERT_EQ(sys_->service("update self -label hello").status, 0);
    }

    // VM's record of hello still says it went through its update (a VM
    // that rebuilt its records from the process table would say 0), user
    // programs run, and VM still does other services' updates.
    void expect_system_works(const std::string& probe) {
        ASSERT_EQ(sys_->service("up st_vminfo -label " + probe).status, 0);
        const std::size_t at = sys_->log.wait_find("VMINFO: ", seen_);
        ASSERT_NE(at, std::string::npos) << "no answer from st_vminfo";
        seen_ = at + 1;
        EXPECT_NE(sys_->log.find("VMINFO: hello endpoint 10 slot 10 updates 1", at),
                  std::string::npos)
            << "VM's records did not come across";
        CliResult c = sys_->cat("/dev/hello");
        EXPECT_EQ(c.status, 0) << c.out;
        EXPECT_NE(c.out.find("Hello, World!"), std::string::npos) << c.out;
        CliResult u = sys_->service("update self -label hello");
        EXPECT_EQ(u.status, 0) << u.out;
    }
    std::size_t seen_ = 0;
};

TEST_F(VmLive, UpdateKeepsTheRecords) {
    const std::string old_pid = sys_->list_field("vm", 4);
    const auto t0 = std::chrono::steady_clock::now();
    CliResult r = sys_->service("update self -label vm");
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    ASSERT_EQ(r.status, 0) << r.out;
    std::printf("vm live update (CLI round trip): %lld ms\n", static_cast<long long>(ms));
    EXPECT_TRUE(sys_->log.wait_for("RS: update of 'vm' succeeded"));
    EXPECT_TRUE(sys_->log.wait_for("vm: records restored"));
    EXPECT_EQ(sys_->list_field("vm", 0), "8");
    EXPECT_EQ(sys_->list_field("vm", 1), "0");
    EXPECT_NE(sys_->list_field("vm", 4), old_pid);
    expect_system_works("info1");
    // The new VM can be updated in turn.
    ASSERT_EQ(sys_->service("update self -label vm").status, 0);
    expect_system_works("info2");
}

TEST_F(VmLive, RollbacksKeepTheOldVersion) {
    const std::string old_pid = sys_->list_field("vm", 4);
    EXPECT_EQ(sys_->service("update self -label vm -x").status, 85);
    EXPECT_EQ(sys_->service("update self -label vm -y").status, 38);
    EXPECT_EQ(sys_->service("update self -label vm -z").status, 4);
    EXPECT_TRUE(eventually([&] { return sys_->log.count("rolled back") == 3; }))
        << "three rollbacks";
    EXPECT_EQ(sys_->list_field("vm", 4), old_pid) << "the old version must go on";
    EXPECT_EQ(sys_->list_field("vm", 0), "8");
    expect_system_works("info1");
}

// A host SIGSEGV of VM (`restart` policy: the replica takes over endpoint 8
// and restores the dead instance's records).
TEST_F(VmLive, CrashKeepsTheRecordsAndUserProgramsRun) {
    const int pid = std::stoi(sys_->list_field("vm", 4));
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(kill(pid, SIGSEGV), 0);
    ASSERT_TRUE(sys_->log.wait_for("RS: service 'vm' restarted", nullptr, 10s));
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    std::printf("vm crash to restarted: %lld ms\n", static_cast<long long>(ms));
    EXPECT_TRUE(sys_->log.wait_for("vm: records restored"));
    ASSERT_TRUE(eventually([&] { return sys_->list_field("vm", 1) == "1"; }));
    EXPECT_EQ(sys_->list_field("vm", 0), "8");
    expect_system_works("info1");

    // The replica can be updated, and survives a crash in turn.
    ASSERT_EQ(sys_->service("update self -label vm").status, 0);
    expect_system_works("info2");
    ASSERT_EQ(kill(std::stoi(sys_->list_field("vm", 4)), SIGSEGV), 0);
    ASSERT_TRUE(eventually([&] { return sys_->list_field("vm", 1) == "2"; }));
    expect_system_works("info3");
}

}  // namespace
