// The kernel asked to stop a process that cannot stop (frozen by the cgroup
// v1 freezer, which no ptrace stop gets through): the kernel call returns at
// once, and after the stop deadline the process is killed as hung and its
// death reported, instead of the kernel thread waiting for it.
#include <chrono>

#include "booted_system.h"  // eventually
#include "cgroup_freezer.h"
#include "svc_util.h"
#include "umk/com.h"

namespace umk_test {
namespace {

class HostileStop : public HostTest {};

TEST_F(HostileStop, UnstoppableProcessIsKilledAfterTheStopDeadline) {
    CgroupFreezer cg(Freezer::V1);
    ASSERT_TRUE(cg.ok()) << cg.why() << ": this test needs it (run as root)";
    const pid_t busy = boot_spinner();
    ASSERT_GT(busy, 0);
    ASSERT_TRUE(cg.freeze(busy));
    umk::linux_host::Client* rs = host->client("rs");
    umk::message m{};
    m.RC_ENDPT = ep("busy");
    m.RC_ACTION = umk::RC_STOP;
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(rs->kernel_call(umk::SYS_RUNCTL, &m), umk::OK);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms) << "the kernel waited for the stop";
    ASSERT_TRUE(log.wait_for("did not stop within 2000 ms (frozen by the host?): killed as hung",
                             nullptr, 5s));
    // The kernel still serves its other clients (a call about a slot that
    // is gone: answered, not hung).
    m = umk::message{};
    m.RC_ENDPT = ep("busy");
    m.RC_ACTION = umk::RC_RESUME;
    (void)rs->kernel_call(umk::SYS_RUNCTL, &m);
    cg.thaw();  // now it can die
    EXPECT_TRUE(eventually([&] { return !pid_alive(busy); }));
}

}  // namespace
}  // namespace umk_test
