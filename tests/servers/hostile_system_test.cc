// The isolation issue's attacks through the servers, played by a default
// system service (tests/servers/programs/st_intruder.cc, no system.conf
// entry) inside a booted system: escalation through RS (down, refresh,
// shutdown, up and update with every kernel call), through PM (spawning
// /bin/sh and programs outside the program directory) and the log hijack
// (registering as the log reader, forging lines, terminal escapes). Each
// must end in EPERM with a log line naming the cause, and the rest of the
// system goes on serving: hello answers, the console gets later lines and
// the administrator's path (the control socket) still manages services.
#include <string>

#include "booted_system.h"

namespace {

using umk_test::BootedSystemTest;
using umk_test::CliResult;
using namespace std::chrono_literals;

const std::string kSystem = umk_test::system_image(
    "proc   11 st_intruder  program=st_intruder\n"
    "kernel 12 umkctl       type=ctlsock sys ipc=all calls=basic sigmgr=rs\n");

const std::string kEperm = std::to_string(-1);  // -EPERM, MINIX numbering

class HostileSystem : public BootedSystemTest {
  protected:
    umk_test::LogCapture& booted() {
        umk_test::BootedSystem& sys = boot({.config_text = kSystem});
        sys_ = &sys;
        EXPECT_TRUE(sys.log.wait_for("intruder: done", nullptr, 30s))
            << "st_intruder did not finish";
        return sys.log;
    }
    // hello still serves, through devman, to the administrator's `umk cat`.
    void hello_serves() {
        CliResult c = sys_->cat("/dev/hello");
        EXPECT_EQ(c.status, 0) << c.out;
        EXPECT_NE(c.out.find("Hello, World!"), std::string::npos) << c.out;
    }
    umk_test::BootedSystem* sys_ = nullptr;
};

// One suite per server attacked (HostileLog is also the kernel's unit suite
// in tests/core, with another fixture: hence HostileLogSystem).
class HostileRs : public HostileSystem {};
class HostilePm : public HostileSystem {};
class HostileLogSystem : public HostileSystem {};

TEST_F(HostileRs, DefaultServiceIsRefusedAndHelloGoesOnServing) {
    umk_test::LogCapture& log = booted();
    EXPECT_EQ(log.count("intruder: down hello = " + kEperm), 1);
    EXPECT_EQ(log.count("intruder: refresh hello = " + kEperm), 1);
    EXPECT_EQ(log.count("intruder: shutdown = " + kEperm), 1);
    EXPECT_EQ(log.count("intruder: up with every call = " + kEperm), 1);
    EXPECT_EQ(log.count("intruder: update with every call = " + kEperm), 1);
    EXPECT_EQ(log.count("refused (EPERM): it may not manage services"), 5);
    EXPECT_EQ(log.count("RS: service 'evil'"), 0);
    hello_serves();
    // The administrator's path is untouched: it may still manage hello.
    CliResult r = sys_->service("refresh hello");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_TRUE(umk_test::eventually([&] { return sys_->cat("/dev/hello").status == 0; }, 15s));
}

TEST_F(HostilePm, SpawnsNothingForADefaultService) {
    umk_test::LogCapture& log = booted();
    EXPECT_EQ(log.count("intruder: spawn /bin/sh = " + kEperm), 1);
    EXPECT_EQ(log.count("intruder: spawn outside the program dir = " + kEperm), 1);
    EXPECT_EQ(log.count("intruder: spawn cat = " + kEperm), 1);
    EXPECT_EQ(log.count("may not spawn /bin/sh (EPERM): it may not spawn programs"), 1);
    // The control proxy may still have PM spawn cat.
    hello_serves();
}

TEST_F(HostileLogSystem, CannotBeHijackedOrForged) {
    umk_test::LogCapture& log = booted();
    EXPECT_EQ(log.count("intruder: register as log reader = " + kEperm), 1);
    EXPECT_EQ(log.count("diagctl: st_intruder (endpoint "), 1);
    EXPECT_EQ(log.count("may not REGISTER as the log reader: EPERM"), 1);
    // The forged kernel line carries its true source; the escape, the bell
    // and the binary bytes arrive as text.
    EXPECT_EQ(log.count("[st_intruder] kernel: panic: forged"), 1);
    EXPECT_EQ(log.count("[st_intruder] \\x1b[2J\\x07 bell\\x01\\xfe"), 1);
    EXPECT_EQ(log.count("\x1b"), 0);
    EXPECT_EQ(log.count("[st_intruder] intruder: done"), 1);
    // Later lines still reach the console through TTY.
    CliResult r = sys_->service("refresh hello");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_TRUE(log.wait_for("Hey, I've just been restarted!", nullptr, 15s));
}

}  // namespace
