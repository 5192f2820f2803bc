// A service frozen from the host (cgroup freezer) must not stall the
// kernel: the heartbeat kill that follows asks the kernel to stop a process
// that cannot enter a ptrace stop. The kernel never waits for it; it goes
// on serving everyone else, and the hung process is killed and restarted.
#include <chrono>

#include "booted_system.h"
#include "cgroup_freezer.h"

namespace umk_test {
namespace {

// Both freezers (cgroup_freezer.h): the v1 one keeps a process from ever
// entering the ptrace stop, the v2 one is the interface the host is moving to.
class HostileFreeze : public BootedSystemTest, public ::testing::WithParamInterface<Freezer> {};

// `umk ps` answering within `limit`: the kernel thread is not blocked.
::testing::AssertionResult answers_quickly(BootedSystem& sys, std::chrono::milliseconds limit) {
    const auto t0 = std::chrono::steady_clock::now();
    CliResult r = sys.cli("ps", {}, 10s);
    const auto took = std::chrono::steady_clock::now() - t0;
    if (r.status != 0) return ::testing::AssertionFailure() << "umk ps failed: " << r.out;
    if (took > limit)
        return ::testing::AssertionFailure()
               << "umk ps took "
               << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
    return ::testing::AssertionSuccess();
}

TEST_P(HostileFreeze, FrozenServiceIsKilledWhileEveryoneElseIsServed) {
    CgroupFreezer cg(GetParam());
    // Not a skip: without a freezer the claim cannot be checked, and CI
    // (root, on a hybrid cgroup host) has both.
    ASSERT_TRUE(cg.ok()) << cg.why() << ": this test needs it (run as root)";
    BootedSystem& sys = boot();
    ASSERT_TRUE(sys.log.wait_for("umkctl: control socket", nullptr, 15s));
    ASSERT_TRUE(sys.log.wait_for("hello: Hello, World!", nullptr, 10s));
    const std::string old_pid = sys.list_field("hello", 4);
    ASSERT_FALSE(old_pid.empty()) << sys.service("list").out;
    ASSERT_TRUE(cg.freeze(std::stoi(old_pid))) << "cannot freeze hello (pid " << old_pid << ")";

    // hello has a 1HZ heartbeat (etc/system.conf): RS notices, kills it,
    // and the kernel must stop a process that cannot stop.
    ASSERT_TRUE(sys.log.wait_for("RS: service 'hello' missed its heartbeat", nullptr, 15s));
    // The kernel, RS and the other services go on meanwhile.
    for (int i = 0; i < 5; ++i) {
        EXPECT_TRUE(answers_quickly(sys, 3s));
        CliResult list = sys.cli("service", "list", 10s);
        EXPECT_EQ(list.status, 0) << list.out;
        EXPECT_NE(list.out.find("ds"), std::string::npos) << list.out;
    }
    // The hung hello is gone and a new one serves /dev/hello, all while the
    // old one is still frozen.
    EXPECT_TRUE(eventually(
        [&] {
            const std::string pid = sys.list_field("hello", 4);
            return !pid.empty() && pid != "-" && pid != old_pid;
        },
        20s))
        << sys.service("list").out;
    CliResult cat = sys.cat("/dev/hello");
    EXPECT_EQ(cat.status, 0) << cat.out;
    EXPECT_EQ(cat.out, "Hello, World!\n");
    EXPECT_TRUE(answers_quickly(sys, 3s));
}

INSTANTIATE_TEST_SUITE_P(Freezers, HostileFreeze, ::testing::Values(Freezer::V1, Freezer::V2),
                         [](const auto& info) {
                             return std::string(info.param == Freezer::V1 ? "V1" : "V2");
                         });

}  // namespace
}  // namespace umk_test
