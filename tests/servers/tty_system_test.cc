// TTY inside a booted umk system: the kernel log reaches the console (the
// Linux host's emulated COM1) through TTY, every line exactly once; while
// TTY is killed (host kill -9, SIGSEGV) and restarted by RS no line is lost
// (and at most the one being written is repeated); a system
// process without an io range gets EPERM for the console's ports; /dev/tty
// takes writes and reads as end of file. The last test drives the `umk`
// executable with etc/boot.conf, as a person would.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "booted_system.h"
#include "umk_linux/console.h"

namespace {

using umk_test::BootedSystemTest;
using umk_test::children_of;
using umk_test::CliResult;
using umk_test::HostTest;
using namespace std::chrono_literals;

const std::string kSystem = umk_test::system_image("proc  11 st_tty  program=st_tty\n");

constexpr int kLines = 600;  // st_tty's numbered lines

pid_t tty_pid() {
    std::vector<pid_t> p = children_of(getpid(), "tty");
    return p.size() == 1 ? p[0] : -1;
}

// In-process (HostTest): these tests read the Host's own COM1 line counter.
class TtySystem : public HostTest {};

TEST_F(TtySystem, LogLinesGoThroughTtyExactlyOnce) {
    // Every line carries the COM1 line count at its arrival (see below).
    log.stamp_with(umk::linux_host::console_lines_written);
    boot(kSystem);
    ASSERT_TRUE(log.wait_for("tty: up; the kernel log goes to COM1", nullptr, 10s));
    ASSERT_TRUE(log.wait_for("st_tty: checks done", nullptr, 15s));
    // Lines of other processes, and the /dev/tty write (not the kernel log),
    // need not be in before "checks done": wait for each, then count (0 =
    // not there within 10 s).
    EXPECT_EQ(log.wait_and_count("hello: Hello, World!"), 1);
    EXPECT_EQ(log.wait_and_count("tty: up;"), 1);

    // A system process without an io range: EPERM (1) for the console's ports.
    EXPECT_EQ(log.wait_and_count("st_tty: voutb without io range: -1"), 1);
    EXPECT_EQ(log.wait_and_count("st_tty: vinb without io range: -1"), 1);
    // /dev/tty: the write is on the console, a read is the end of file.
    EXPECT_EQ(log.wait_and_count("st_tty: written to /dev/tty"), 1);
    EXPECT_EQ(log.wait_and_count("st_tty: /dev/tty open ok write 28 read 0 close 0"), 1);

    // Lines after TTY is up come out of the emulated COM1, i.e. through TTY:
    // between the arrival of line 0 and of line 19 COM1 wrote at least 19
    // lines. (The stamps, not a counter read after wait_for returned: under
    // load the test thread wakes when more lines have come already.)
    ASSERT_TRUE(log.wait_for("st_tty: line 0.", nullptr, 10s));
    ASSERT_TRUE(log.wait_for("st_tty: line 19.", nullptr, 10s));
    EXPECT_GE(*log.stamp_of("st_tty: line 19.") - *log.stamp_of("st_tty: line 0."), 19u);
    ASSERT_TRUE(log.wait_for("st_tty: done", nullptr, 30s));
    for (int i = 0; i < kLines; ++i)
        ASSERT_EQ(log.count("st_tty: line " + std::to_string(i) + "."), 1) << "line " << i;
}

TEST_F(TtySystem, KilledAndCrashedTtyIsRestartedAndNoLineIsLost) {
    boot(kSystem);
    ASSERT_TRUE(log.wait_for("tty: up", nullptr, 10s));
    ASSERT_TRUE(log.wait_for("st_tty: line 50.", nullptr, 20s));

    // The kills come a little after a line appeared, when TTY has usually
    // written it out and waits for the next (st_tty logs two per tick).
    std::this_thread::sleep_for(5ms);
    const pid_t first = tty_pid();
    ASSERT_GT(first, 0);
    ASSERT_EQ(kill(first, SIGKILL), 0);
    ASSERT_TRUE(log.wait_for("tty: restarted", nullptr, 10s));
    const pid_t second = tty_pid();
    ASSERT_GT(second, 0);
    EXPECT_NE(second, first);

    // Output through the new instance before the next crash.
    std::string line;
    const std::uint64_t before = umk::linux_host::console_lines_written();
    ASSERT_TRUE(log.wait_for("st_tty: line 250.", nullptr, 20s));
    EXPECT_GT(umk::linux_host::console_lines_written(), before);

    std::this_thread::sleep_for(5ms);
    ASSERT_EQ(kill(second, SIGSEGV), 0);
    ASSERT_TRUE(log.wait_for("st_tty: done", nullptr, 30s));
    EXPECT_EQ(log.wait_and_count("tty: restarted", 2), 2);
    EXPECT_NE(tty_pid(), second);

    // No line lost. A line can be repeated only if TTY died between writing
    // it and confirming it (DIAGCTL SHOWN): at most one per kill.
    int repeated = 0;
    for (int i = 0; i < kLines; ++i) {
        const int n = log.count("st_tty: line " + std::to_string(i) + ".");
        ASSERT_GE(n, 1) << "line " << i << " lost";
        ASSERT_LE(n, 2) << "line " << i;
        repeated += n - 1;
    }
    EXPECT_LE(repeated, 2);
    EXPECT_EQ(log.count("hello: Hello, World!"), 1);
}

// `umk boot` with the default etc/boot.conf: the log on stdout, TTY in
// `umk ps`, /dev/tty through `umk cat`.
class TtyExecutable : public BootedSystemTest {
  protected:
    void SetUp() override { boot({.config_path = umk_test::default_boot_conf()}); }
};

TEST_F(TtyExecutable, DefaultBootShowsTheLogThroughTty) {
    ASSERT_TRUE(sys_->log.wait_for("tty: up; the kernel log goes to COM1", nullptr, 15s));
    ASSERT_TRUE(sys_->log.wait_for("hello: Hello, World!", nullptr, 15s));
    ASSERT_TRUE(sys_->log.wait_for("umkctl: control socket", nullptr, 15s));
    CliResult r = sys_->ps();
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find(" tty "), std::string::npos) << r.out;
    r = sys_->service("lookup tty");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.out, "5\n");

    // A read of /dev/tty is the end of file: nothing, and success.
    r = sys_->cat("/dev/tty");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.out, "");

    // hello's open line comes through TTY, once.
    r = sys_->cat("/dev/hello");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.out, "Hello, World!\n");
    ASSERT_TRUE(sys_->log.wait_for("hello_open(). Called 1 time(s).", nullptr, 10s));
    std::this_thread::sleep_for(200ms);  // grace for a duplicate to show
    EXPECT_EQ(sys_->log.count("hello_open(). Called 1 time(s)."), 1);
    EXPECT_EQ(sys_->log.count("hello: Hello, World!"), 1);
    EXPECT_EQ(sys_->log.count("tty: up;"), 1);
}

TEST_F(TtyExecutable, LiveUpdateAndRestartPrintNothingTwice) {
    ASSERT_TRUE(sys_->log.wait_for("umkctl: control socket", nullptr, 15s));
    ASSERT_TRUE(sys_->log.wait_for("tty: up", nullptr, 15s));
    // TTY says "up" in its init, before RS has the answer: RS refuses an
    // update (EBUSY) until it has marked TTY active.
    ASSERT_TRUE(umk_test::eventually([&] {
        return sys_->list_field("tty", 3).find('A') != std::string::npos;
    })) << sys_->service("list").out;
    CliResult r;
    // A live update: the new version registers again and goes on where the
    // old one stopped.
    r = sys_->service("update self -label tty");
    ASSERT_EQ(r.status, 0) << r.out;
    ASSERT_TRUE(sys_->log.wait_for("tty: updated", nullptr, 10s));
    r = sys_->cat("/dev/hello");
    ASSERT_EQ(r.status, 0) << r.out;
    ASSERT_TRUE(sys_->log.wait_for("hello_open(). Called 1 time(s).", nullptr, 10s));

    // A restart: a new endpoint; devman finds /dev/tty at the new instance.
    r = sys_->service("refresh tty");
    ASSERT_EQ(r.status, 0) << r.out;
    ASSERT_TRUE(sys_->log.wait_for("tty: restarted", nullptr, 10s));
    r = sys_->cat("/dev/hello");
    ASSERT_EQ(r.status, 0) << r.out;
    ASSERT_TRUE(sys_->log.wait_for("hello_open(). Called 2 time(s).", nullptr, 10s));
    r = sys_->cat("/dev/tty");
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.out, "");

    std::this_thread::sleep_for(200ms);
    for (const char* line : {"tty: up;", "tty: updated;", "tty: restarted;", "hello: Hello, World!",
                             "hello_open(). Called 1 time(s).", "hello_open(). Called 2 time(s)."})
        EXPECT_EQ(sys_->log.wait_and_count(line), 1) << line;
}

}  // namespace

namespace {

// The number after `key` in `line` (-1 if none).
long long number_after(const std::string& line, const std::string& key) {
    const std::size_t at = line.find(key);
    if (at == std::string::npos) return -1;
    return std::atoll(line.c_str() + at + key.size());
}

// TTY's account (servers/tty/state.cc) crosses every live update through
// sef_state; a rolled-back update (-x crash, -y failure, -z hang in the new
// version's init) leaves the old version counting on.
TEST_F(TtyExecutable, StateCrossesLiveUpdatesAndRollbacks) {
    ASSERT_TRUE(sys_->log.wait_for("umkctl: control socket", nullptr, 15s));
    ASSERT_TRUE(sys_->log.wait_for("tty: up; the kernel log goes to COM1 (instance 1; 0 bytes",
                                   nullptr, 15s));
    ASSERT_TRUE(umk_test::eventually([&] {
        return sys_->list_field("tty", 3).find('A') != std::string::npos;
    })) << sys_->service("list").out;
    CliResult r = sys_->service("update self -label tty");
    ASSERT_EQ(r.status, 0) << r.out;
    std::string first;
    ASSERT_TRUE(
        sys_->log.wait_for("tty: updated; the kernel log goes to COM1 (instance 2;", &first, 10s));
    const long long shown = number_after(first, "instance 2; ");
    EXPECT_GT(shown, 0) << first;
    for (const char* flag : {"-x", "-y", "-z"}) {
        r = sys_->service(std::string("update self -label tty ") + flag);
        EXPECT_NE(r.status, 0) << flag << ": " << r.out;
    }
    r = sys_->service("update self -label tty");
    ASSERT_EQ(r.status, 0) << r.out;
    std::string second;
    ASSERT_TRUE(
        sys_->log.wait_for("tty: updated; the kernel log goes to COM1 (instance 3;", &second, 10s));
    // The rollbacks' log lines went through the old version, which counted them.
    EXPECT_GT(number_after(second, "instance 3; "), shown) << second;
    r = sys_->cat("/dev/hello");
    EXPECT_EQ(r.status, 0) << r.out;
}

// A host SIGSEGV of TTY: under the `restart` policy the replica takes over
// TTY's endpoint and its predecessor's checkpoint, and counts on.
TEST_F(TtyExecutable, CrashedTtyKeepsItsAccount) {
    ASSERT_TRUE(sys_->log.wait_for("umkctl: control socket", nullptr, 15s));
    ASSERT_TRUE(
        sys_->log.wait_for("tty: up; the kernel log goes to COM1 (instance 1;", nullptr, 15s));
    ASSERT_TRUE(umk_test::eventually([&] {
        return sys_->list_field("tty", 3).find('A') != std::string::npos;
    })) << sys_->service("list").out;
    const std::string endpoint = sys_->list_field("tty", 0);
    const int pid = sys_->host_pid("tty");
    ASSERT_GT(pid, 0);
    ASSERT_EQ(kill(pid, SIGSEGV), 0);
    std::string line;
    ASSERT_TRUE(
        sys_->log.wait_for("tty: restarted; the kernel log goes to COM1 (instance 2;", &line, 10s));
    EXPECT_GT(number_after(line, "instance 2; "), 0) << line;
    EXPECT_EQ(sys_->list_field("tty", 0), endpoint);
    CliResult r = sys_->cat("/dev/hello");
    EXPECT_EQ(r.status, 0) << r.out;
}

}  // namespace
