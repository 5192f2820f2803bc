// devman's state across its own live updates and crashes, in a booted system
// (`umk boot` with etc/boot.conf), as a person would see it: a `umk cat` of
// a slow device (st_stream: numbered lines, one per read, each answered two
// ticks later) runs while devman is updated, its updates fail on purpose
// (-x crash, -y failure, -z hang in the new version's init) and roll back,
// and while devman is killed by the host. The cat holds an open device
// descriptor (a read at the driver most of the time) and the proxy that
// runs it waits reading the pipe of cat's output: both go on, and the
// output is every line exactly once, in order.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <thread>

#include "booted_system.h"

namespace {

using umk_test::BootedSystem;
using umk_test::BootedSystemTest;
using umk_test::CliResult;
using namespace std::chrono_literals;

constexpr int kLines = 300;  // about 10 s of st_stream at two ticks a line

std::string lines(int n) {
    std::string out;
    char line[32];  // room for any int: GCC checks the format against the type
    for (int i = 0; i < n; i++) {
        std::snprintf(line, sizeof line, "line %04d\n", i);
        out += line;
    }
    return out;
}

class DevmanState : public BootedSystemTest {
  protected:
    BootedSystem& boot_ready() {
        BootedSystem& sys = boot({.config_path = umk_test::default_boot_conf()});
        ready_ = sys.log.wait_for("umkctl: control socket", nullptr, 15s) &&
                 sys.log.wait_for("hello: Hello, World!", nullptr, 15s) &&
                 umk_test::eventually(
                     [&] { return sys.list_field("devman", 3).find('A') != std::string::npos; });
        if (!ready_) return sys;
        CliResult r = sys.service("up st_stream -args " + std::to_string(kLines));
        ready_ = r.status == 0 && sys.log.wait_for("STREAM: st_stream announced", nullptr, 10s);
        return sys;
    }
    // `umk cat /dev/st_stream` in the background, once its open arrived.
    std::future<CliResult> start_cat(BootedSystem& sys) {
        auto f = std::async(std::launch::async,
                            [&sys] { return sys.cli("cat", "/dev/st_stream", 60s); });
        EXPECT_TRUE(sys.log.wait_for("STREAM: st_stream open", nullptr, 10s));
        std::this_thread::sleep_for(300ms);  // a few lines through
        return f;
    }
    static void hello_works(BootedSystem& sys) {
        CliResult r = sys.cat("/dev/hello");
        EXPECT_EQ(r.status, 0) << r.out;
        EXPECT_EQ(r.out, "Hello, World!\n");
    }
    bool ready_ = false;
};

TEST_F(DevmanState, LiveUpdatesAndRollbacksKeepARunningCatGoing) {
    BootedSystem& sys = boot_ready();
    ASSERT_TRUE(ready_);
    const std::string endpoint = sys.list_field("devman", 0);
    auto cat = start_cat(sys);

    const auto t0 = std::chrono::steady_clock::now();
    CliResult r = sys.service("update self -label devman");
    const auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_EQ(r.status, 0) << r.out;
    std::printf("[ devman ] live update (state 1) with a cat running: %lld ms\n",
                static_cast<long long>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
    ASSERT_TRUE(sys.log.wait_for("devman: state of the previous instance restored", nullptr, 5s));
    std::this_thread::sleep_for(200ms);

    // Rollbacks: the old version serves on with its tables.
    for (const char* flag : {"-x", "-y", "-z"}) {
        r = sys.service(std::string("update self -label devman ") + flag);
        EXPECT_NE(r.status, 0) << flag << ": " << r.out;
        std::this_thread::sleep_for(200ms);
    }
    // Request free: reached between two requests at the driver.
    r = sys.service("update self -label devman -state 2");
    EXPECT_EQ(r.status, 0) << r.out;

    CliResult c = cat.get();
    EXPECT_EQ(c.status, 0) << c.out.substr(0, 200);
    EXPECT_EQ(c.out, lines(kLines));
    EXPECT_EQ(sys.list_field("devman", 0), endpoint);
    EXPECT_EQ(sys.list_field("devman", 1), "0");  // updates and rollbacks are no restarts
    EXPECT_EQ(sys.log.count("devman: state of the previous instance restored"), 2);
    hello_works(sys);
}

// A host SIGSEGV of devman: RS's replica takes over devman's endpoint
// (restart policy) and its last checkpoint; the cat's read and the proxy's
// read of the pipe got ERESTART and are asked again; nothing is lost.
// (Under `reset` the replica would get a new endpoint and every descriptor
// would be lost.)
TEST_F(DevmanState, CrashOfDevmanKeepsARunningCatGoing) {
    BootedSystem& sys = boot_ready();
    ASSERT_TRUE(ready_);
    const std::string endpoint = sys.list_field("devman", 0);
    auto cat = start_cat(sys);

    const int pid = sys.host_pid("devman");
    ASSERT_GT(pid, 0);
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(kill(pid, SIGSEGV), 0);
    ASSERT_TRUE(sys.log.wait_for("devman: state of the previous instance restored", nullptr, 10s));
    const auto took = std::chrono::steady_clock::now() - t0;
    std::printf("[ devman ] crash to restored state: %lld ms\n",
                static_cast<long long>(
                    std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));

    CliResult c = cat.get();
    EXPECT_EQ(c.status, 0) << c.out.substr(0, 200);
    EXPECT_EQ(c.out, lines(kLines));
    EXPECT_EQ(sys.list_field("devman", 0), endpoint);  // the same endpoint
    hello_works(sys);
}

}  // namespace
