// Hostile services in a booted system: a driver that never answers, one that
// dies on every request, services that take every pipe they may and exit or
// crash, services that fill DS. Each time the attacker's own requests fail
// and the rest goes on: `umk cat /dev/hello` works, RS starts new services.
#include <chrono>
#include <future>
#include <string>

#include "booted_system.h"

namespace {

using umk_test::BootedSystem;
using umk_test::BootedSystemTest;
using umk_test::CliResult;
using namespace std::chrono_literals;

const char* const kSystem = R"(
proc   0  pm      program=pm
proc   1  devman  program=devman
proc   2  rs      program=rs sys ipc=all calls=all sigmgr=SELF
kernel 3  umkctl  type=ctlsock sys ipc=all
proc   6  ds      program=ds
proc   8  vm      program=vm
proc   10 hello   program=hello
)";

class HostileSystem : public BootedSystemTest {
  protected:
    BootedSystem& boot_ready() {
        BootedSystem& sys = boot({.config_text = kSystem});
        ready_ = sys.log.wait_for("umkctl: control socket", nullptr, 10s) &&
                 sys.log.wait_for("hello: Hello, World!", nullptr, 10s);
        return sys;
    }
    static void hello_works(BootedSystem& sys) {
        CliResult r = sys.cat("/dev/hello");
        EXPECT_EQ(r.status, 0) << r.out;
        EXPECT_EQ(r.out, "Hello, World!\n");
    }
    bool ready_ = false;
};

// A driver that takes requests and answers none: `cat /dev/st_mute` gets EIO
// once devman's deadline (3 s) has passed, `cat /dev/hello` works meanwhile,
// and devman asks RS to restart the driver.
TEST_F(HostileSystem, HostileDevmanHungDriverFailsOnlyItsOwnReaders) {
    BootedSystem& sys = boot_ready();
    ASSERT_TRUE(ready_);
    CliResult r = sys.service("up st_mute");
    ASSERT_EQ(r.status, 0) << r.out;
    ASSERT_TRUE(sys.log.wait_for("MUTE: st_mute announced dev.st_mute", nullptr, 10s));
    const auto start = std::chrono::steady_clock::now();
    auto mute = std::async(std::launch::async, [&] { return sys.cat("/dev/st_mute"); });
    ASSERT_TRUE(sys.log.wait_for("MUTE: st_mute got request", nullptr, 10s));
    for (int i = 0; i < 3; i++) hello_works(sys);  // while the mute driver holds a reader
    CliResult m = mute.get();
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(m.status, 1) << m.out;
    EXPECT_EQ(m.out, "cat: /dev/st_mute: Input/output error\n");
    EXPECT_GE(took, 2s);
    EXPECT_LE(took, 8s);
    EXPECT_TRUE(sys.log.wait_for("devman: driver st_mute", nullptr, 5s));
    EXPECT_TRUE(sys.log.wait_for("devman: asking RS to restart driver st_mute", nullptr, 5s));
    EXPECT_TRUE(sys.log.wait_for("MUTE: st_mute announced", nullptr, 10s));  // the new instance
    hello_works(sys);
}

// A driver that dies on every request: devman asks the restarted instance
// once, then gives the reader EIO; hello is not affected.
TEST_F(HostileSystem, HostileDevmanDriverDyingMidRequest) {
    BootedSystem& sys = boot_ready();
    ASSERT_TRUE(ready_);
    CliResult r = sys.service("up st_mute -label st_die -args die");
    ASSERT_EQ(r.status, 0) << r.out;
    ASSERT_TRUE(sys.log.wait_for("MUTE: st_die announced dev.st_die", nullptr, 10s));
    r = sys.cat("/dev/st_die");
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_EQ(r.out, "cat: /dev/st_die: Input/output error\n");
    EXPECT_TRUE(sys.log.wait_for("MUTE: st_die got request", nullptr, 5s));
    hello_works(sys);
}

// Services that take every pipe they may, then exit or crash holding them:
// nobody tells devman (they are not PM's children), so devman takes the
// pipes of the dead back when its table is full. Five of them hold more
// than the table.
TEST_F(HostileSystem, HostileDevmanPipeHoardersThatDieLeaveCatWorking) {
    BootedSystem& sys = boot_ready();
    ASSERT_TRUE(ready_);
    for (int i = 1; i <= 5; i++) {
        const std::string label = "hog" + std::to_string(i);
        CliResult r =
            sys.service("run st_pipes -label " + label + " -args " + (i % 2 ? "exit" : "crash"));
        ASSERT_EQ(r.status, 0) << r.out;
        EXPECT_EQ(sys.log.wait_and_count("PIPES: took 8 pipes, then ENFILE", i, 10s), i);
    }
    // The fifth found the table full of the first four's pipes.
    EXPECT_TRUE(sys.log.wait_for("is gone; closing its", nullptr, 5s));
    hello_works(sys);
    hello_works(sys);
}

// Services that fill DS: each gets ENOMEM at its quota (8 entries), the
// later ones when only RS's reserve is left; RS still publishes the label
// of a new service (`service up` works and `lookup` finds it).
TEST_F(HostileSystem, HostileDsFillersLeaveRsRoomForLabels) {
    BootedSystem& sys = boot_ready();
    ASSERT_TRUE(ready_);
    for (int i = 1; i <= 6; i++) {
        const std::string label = "fill" + std::to_string(i);
        CliResult r = sys.service("up st_dsfill -label " + label);
        ASSERT_EQ(r.status, 0) << r.out;
        ASSERT_TRUE(sys.log.wait_for("DSFILL: " + label + " published", nullptr, 10s));
    }
    EXPECT_EQ(sys.log.count("published 8 entries, then ENOMEM"), 3);
    EXPECT_EQ(sys.log.count("then ENOMEM"), 6);
    CliResult r = sys.service("up st_dsfill -label late");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_TRUE(sys.log.wait_for("DSFILL: late published", nullptr, 10s));
    r = sys.service("lookup late");
    EXPECT_EQ(r.status, 0) << r.out;
    hello_works(sys);
}

}  // namespace
