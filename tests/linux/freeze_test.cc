// proc_unready/proc_ready on a process that runs its own code: SYS_RUNCTL
// stop freezes it (ptrace stop), resume lets it go on; the clock ticks.
#include <fstream>
#include <thread>

#include "harness.h"
#include "svc_util.h"
#include "umk/com.h"

namespace umk_test {
namespace {

using umk::message;
using umk::OK;

char proc_state(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(f, line);
    auto close = line.rfind(')');
    return close == std::string::npos ? '?' : line[close + 2];
}

TEST_F(HostTest, RunctlStopFreezesARunningProcess) {
    const pid_t busy = boot_spinner();
    ASSERT_GT(busy, 0);
    umk::linux_host::Client* rs = host->client("rs");
    message m{};
    m.RC_ENDPT = ep("busy");
    m.RC_ACTION = umk::RC_STOP;
    ASSERT_EQ(rs->kernel_call(umk::SYS_RUNCTL, &m), OK);
    // The kernel does not wait for the ptrace stop: it is seen through SIGCHLD.
    char stopped = '?';
    for (int i = 0; i < 200 && (stopped = proc_state(busy)) != 't'; ++i)
        std::this_thread::sleep_for(5ms);
    EXPECT_EQ(stopped, 't');
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(proc_state(busy), 't');
    m = message{};
    m.RC_ENDPT = ep("busy");
    m.RC_ACTION = umk::RC_RESUME;
    ASSERT_EQ(rs->kernel_call(umk::SYS_RUNCTL, &m), OK);
    char s = '?';
    for (int i = 0; i < 100 && (s = proc_state(busy)) == 't'; ++i) std::this_thread::sleep_for(5ms);
    EXPECT_NE(s, 't');
}

TEST_F(HostTest, ClockTicks) {
    boot("client 9 c sys ipc=all calls=all\n");
    auto uptime = [&] {
        message m{};
        m.I_REQUEST = umk::GET_UPTIME;
        EXPECT_EQ(host->client("c")->kernel_call(umk::SYS_GETINFO, &m), OK);
        return m.m2_l1;
    };
    auto t0 = uptime();
    std::this_thread::sleep_for(200ms);
    EXPECT_GT(uptime(), t0 + 2);  // 60 Hz: about 12 ticks
}

}  // namespace
}  // namespace umk_test
