// hello through the `umk` executable, as a person would drive it: boot a
// system (RS, PM, DS, VM, devman, hello, the control socket), read
// /dev/hello with `umk cat`, restart and live-update hello with
// `umk service`. The kernel runs as a child process (BootedSystemTest).
#include <algorithm>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

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

// Up: the control socket listens and RS has started hello (the last boot
// service it adopts, so devman and DS are configured too).
class HelloSystem : public BootedSystemTest {
  protected:
    BootedSystem& boot_ready() {
        BootedSystem& sys = boot({.config_text = kSystem});
        ready_ = sys.log.wait_for("umkctl: control socket", nullptr, 10s) &&
                 sys.log.wait_for("hello: Hello, World!", nullptr, 10s);
        return sys;
    }
    bool ready_ = false;
};

TEST_F(HelloSystem, CatAndRestart) {
    BootedSystem& sys = boot_ready();
    ASSERT_TRUE(ready_);
    CliResult r = sys.cat("/dev/hello");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.out, "Hello, World!\n");
    r = sys.cat("/dev/hello");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_TRUE(sys.log.wait_for("hello_open(). Called 2 time(s).", nullptr, 10s));
    r = sys.cat("/dev/nosuch");
    EXPECT_NE(r.status, 0);

    // A restart: new endpoint, the counter goes on (DS), devman follows.
    r = sys.service("refresh hello");
    EXPECT_EQ(r.status, 0) << r.out;
    ASSERT_TRUE(sys.log.wait_for("Hey, I've just been restarted!", nullptr, 10s));
    ASSERT_TRUE(sys.log.wait_for("RS: service 'hello' restarted", nullptr, 10s));
    r = sys.cat("/dev/hello");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.out, "Hello, World!\n");
    // The log reaches us through TTY and a pipe: wait for the last line.
    EXPECT_TRUE(sys.log.wait_for("hello_open(). Called 3 time(s).", nullptr, 10s));
}

// `umk cat PATH` runs the user program cat through PM: the proxy gives it a
// pipe at its descriptors 1 and 2, streams what cat writes and exits with
// cat's status. Every run opens the device once more, and no cat is left in
// the process table (the proxy waited for each).
TEST_F(HelloSystem, CatIsAUserProgramSpawnedThroughPm) {
    BootedSystem& sys = boot_ready();
    ASSERT_TRUE(ready_);
    CliResult r;
    const CliResult before = sys.ps();
    ASSERT_EQ(before.status, 0) << before.out;
    for (int i = 1; i <= 3; i++) {
        r = sys.cat("/dev/hello");
        EXPECT_EQ(r.status, 0) << r.out;
        EXPECT_EQ(r.out, "Hello, World!\n");
        EXPECT_TRUE(sys.log.wait_for("hello_open(). Called " + std::to_string(i) + " time(s).",
                                     nullptr, 10s));
    }
    // cat's own message (through the pipe) and its exit status 1.
    r = sys.cat("/dev/nope");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.out, "cat: /dev/nope: No such device\n");
    // Several at once (both proxies busy): each gets its own output.
    std::vector<std::thread> many;
    std::vector<CliResult> outs(6);
    for (int i = 0; i < 6; i++) many.emplace_back([&, i] { outs[i] = sys.cat("/dev/hello"); });
    for (auto& t : many) t.join();
    for (int i = 0; i < 6; i++) {
        EXPECT_EQ(outs[i].status, 0) << outs[i].out;
        EXPECT_EQ(outs[i].out, "Hello, World!\n");
    }
    EXPECT_TRUE(sys.log.wait_for("hello_open(). Called 9 time(s).", nullptr, 10s));
    EXPECT_TRUE(sys.log.wait_for("hello_close()", nullptr, 10s));
    // No user process is left behind.
    r = sys.ps();
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.out.find(" cat "), std::string::npos) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'),
              std::count(before.out.begin(), before.out.end(), '\n'))
        << before.out << "----\n"
        << r.out;
}

// The MINIX hello live update: the open counter crosses to the new version
// (hello_v2, which says so in the log) through DS; then a failed update
// (the new version's init crashes) rolls back to the running version.
TEST_F(HelloSystem, LiveUpdateKeepsTheOpenCounter) {
    BootedSystem& sys = boot_ready();
    ASSERT_TRUE(ready_);
    CliResult r = sys.cat("/dev/hello");
    EXPECT_EQ(r.status, 0) << r.out;
    r = sys.cat("/dev/hello");
    EXPECT_EQ(r.status, 0) << r.out;
    r = sys.service("update hello_v2 -label hello -state 1");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_TRUE(sys.log.wait_for("Hello, World! (v2) Hey, I'm a new version! (open_counter 2)",
                                 nullptr, 10s));
    r = sys.cat("/dev/hello");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_TRUE(sys.log.wait_for("hello_open(). Called 3 time(s).", nullptr, 10s));
    // VM swapped its records: hello's slot keeps endpoint and slot, and the
    // record of the running image has been through one update.
    r = sys.service("up st_vminfo");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_TRUE(sys.log.wait_for("VMINFO: hello endpoint 10 slot 10 updates 1", nullptr, 10s));

    // A failed update (the new version's init crashes) rolls back: the old
    // version goes on counting.
    r = sys.service("update hello -label hello -state 1 -x");
    EXPECT_EQ(r.status, 85) << r.out;
    r = sys.cat("/dev/hello");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_TRUE(sys.log.wait_for("hello_open(). Called 4 time(s).", nullptr, 10s));
}

// ---- Hostile services: a driver that never answers, one that dies on
// every request, services that take every pipe they may and exit or crash,
// services that fill DS. Each time the attacker's own requests fail and the
// rest goes on: `umk cat /dev/hello` works, RS starts new services. ----

class HostileSystem : public HelloSystem {
  protected:
    static void hello_works(BootedSystem& sys) {
        CliResult r = sys.cat("/dev/hello");
        EXPECT_EQ(r.status, 0) << r.out;
        EXPECT_EQ(r.out, "Hello, World!\n");
    }
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
