// PM, devman and hello inside a booted umk system: user processes spawned
// by PM read /dev/hello through devman; users cannot kill system
// processes; a user's signal goes through PM; a system process's signal
// goes to RS, or to PM when PM is its signal manager; a crashed hello is
// restarted by RS and devman sends the next read to the new instance; the
// user program cat, spawned with arguments, writes into a pipe. PM's live
// update (and its rollbacks) and its crash keep its children, zombies and
// suspended waits (PmStateSystem.*).
#include <signal.h>

#include <chrono>
#include <iostream>

#include "booted_system.h"

namespace {

using umk_test::BootedSystemTest;
using namespace std::chrono_literals;

const char* const kSystem = R"(
proc  0  pm        program=pm
proc  1  devman    program=devman
proc  2  rs        program=rs sys ipc=all calls=all sigmgr=SELF
proc  6  ds        program=ds
proc  8  vm        program=vm
proc  10 hello     program=hello
proc  11 st_sig    program=st_sig
proc  12 st_sigpm  program=st_sigpm sys ipc=all calls=basic sigmgr=pm
proc  13 st_pm     program=st_pm
)";

class PmSystem : public BootedSystemTest {};

TEST_F(PmSystem, UsersSignalsAndDeviceRestart) {
    umk_test::LogCapture& log = boot({.config_text = kSystem, .control_socket = false}).log;
    ASSERT_TRUE(log.wait_for("PMTEST: done", nullptr, 30s)) << "st_pm did not finish";
    // A user process read /dev/hello through devman and exited 0 via PM.
    EXPECT_EQ(log.count("PMTEST: st_cat exit 0"), 1);
    // Before and after hello's restart: its counter goes on (kept in DS).
    EXPECT_EQ(log.count("hello: hello_open(). Called 1 time(s)."), 1);
    EXPECT_EQ(log.count("hello: hello_open(). Called 2 time(s)."), 1);
    // Users may not send termination signals to system processes.
    EXPECT_EQ(log.count("PMTEST: st_kill exit 0"), 1);
    // A user's signal: through the kernel to PM, which ends it.
    EXPECT_EQ(log.count("PMTEST: kill st_spin 0"), 1);
    EXPECT_EQ(log.count("PMTEST: st_spin signal 15"), 1);
    // A system process managed by RS gets its SIGUSR1 as a message via SEF.
    EXPECT_EQ(log.count("PMTEST: kill st_sig 0"), 1);
    EXPECT_TRUE(log.wait_for("SIGRS: signal 10 delivered by SEF", nullptr, 10s));
    // A system process managed by PM: PM (endpoint 0) sends the message.
    EXPECT_EQ(log.count("PMTEST: kill st_sigpm 0"), 1);
    EXPECT_TRUE(log.wait_for("SIGPM: signal 12 as a message from 0", nullptr, 10s));
    // hello crashed, RS restarted it, devman followed it.
    EXPECT_EQ(log.count("PMTEST: crash hello 0"), 1);
    EXPECT_TRUE(log.wait_for("Hey, I've just been restarted!", nullptr, 10s));
    EXPECT_EQ(log.count("PMTEST: st_cat after restart exit 0"), 1);
    // cat with two arguments, spawned with a grant for them; its output came
    // through the pipe it inherited (DEVMAN_FORK) at descriptors 1 and 2.
    EXPECT_EQ(log.count("PMTEST: cat said Hello, World!|cat: /dev/nope: No such device| exit 1"),
              1);
    // cat waiting on an empty pipe ends on a signal; devman drops its read.
    EXPECT_EQ(log.count("PMTEST: cat killed while reading: signal 15, kill 0, pipe 1"), 1);
    EXPECT_EQ(log.count("devman: cannot answer"), 0);
    // A user writing to a pipe nobody reads: EPIPE and SIGPIPE (MINIX).
    EXPECT_EQ(log.count("PMTEST: cat into a pipe nobody reads: signal 13"), 1);
    EXPECT_EQ(log.count("FAILED"), 0);
}

// PM's state across its live update, rollbacks and crash, seen by a
// parent: st_pmlu (as "st_pm", for its SPAWN authority) has a running child
// it waits for and a zombie it has not reaped yet.
const std::string kStateSystem = umk_test::system_image(
    "proc  11 st_pm   program=st_pmlu\n"
    "kernel 12 umkctl type=ctlsock sys ipc=all calls=basic sigmgr=rs\n");

class PmStateSystem : public BootedSystemTest {
  protected:
    void SetUp() override {
        boot({.config_text = kStateSystem});
        ASSERT_TRUE(sys_->log.wait_for("umkctl: control socket", nullptr, 15s));
        ASSERT_TRUE(sys_->log.wait_for("PMLU: ready", nullptr, 15s));
        // Once the killed child's host process is gone, one st_spin is left.
        ASSERT_TRUE(umk_test::eventually([&] { return count_spin() == 1; })) << sys_->ps().out;
    }
    int count_spin() {
        const std::string out = sys_->ps().out;
        int n = 0;
        for (std::size_t at = 0; (at = out.find(" st_spin ", at)) != std::string::npos; ++at) ++n;
        return n;
    }
    void expect_cat_works(const char* when) {
        const umk_test::CliResult r = sys_->cat("/dev/hello");
        EXPECT_EQ(r.status, 0) << when << ": " << r.out;
        EXPECT_EQ(r.out, "Hello, World!\n") << when;
    }
    // The running child ends on a host SIGSEGV: PM (whichever instance) is
    // its manager and answers the parent's wait; then the zombie, which
    // must still have its status, and nothing else; PM still spawns.
    void expect_children_intact(const char* first_child_line,
                                const char* zombie_line = "PMLU: zombie: signal 15") {
        const int pid = sys_->host_pid("st_spin");
        ASSERT_GT(pid, 0) << sys_->ps().out;
        ASSERT_EQ(kill(pid, SIGSEGV), 0);
        EXPECT_TRUE(sys_->log.wait_for(first_child_line, nullptr, 10s));
        EXPECT_TRUE(sys_->log.wait_for(zombie_line, nullptr, 10s));
        EXPECT_TRUE(sys_->log.wait_for("PMLU: no more children: error -3", nullptr, 10s));
        EXPECT_TRUE(sys_->log.wait_for("PMLU: st_cat: exit 0", nullptr, 10s));
        EXPECT_TRUE(sys_->log.wait_for("PMLU: done", nullptr, 10s));
        EXPECT_EQ(sys_->log.count("FAILED"), 0);
    }
    // A host signal to PM's process; the time until `umk cat` works again.
    void crash_pm(int sig) {
        const int pid = sys_->host_pid("pm");
        ASSERT_GT(pid, 0) << sys_->ps().out;
        const auto t0 = std::chrono::steady_clock::now();
        ASSERT_EQ(kill(pid, sig), 0);
        ASSERT_TRUE(umk_test::eventually(
            [&] { return sys_->host_pid("pm") != pid && sys_->cat("/dev/hello").status == 0; },
            15s))
            << sys_->service("list").out;
        const auto took = std::chrono::steady_clock::now() - t0;
        std::cout << "PM crash (signal " << sig << ") to `umk cat` served: "
                  << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
        EXPECT_EQ(sys_->list_field("pm", 0), "0");  // `restart` policy: the same endpoint
        expect_cat_works("after the crash");
    }
};

TEST_F(PmStateSystem, LiveUpdateKeepsChildrenZombiesAndWaits) {
    const std::string restarts = sys_->list_field("pm", 1);
    const auto t0 = std::chrono::steady_clock::now();
    umk_test::CliResult r = sys_->service("update self -label pm");
    const auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_EQ(r.status, 0) << r.out;
    std::cout << "PM live update (CLI round trip): "
              << std::chrono::duration_cast<std::chrono::microseconds>(took).count() << " us\n";
    EXPECT_TRUE(sys_->log.wait_for(
        "pm: live update: took over 1 processes, 1 zombies, 1 suspended waits", nullptr, 5s));
    EXPECT_EQ(sys_->list_field("pm", 0), "0");  // the same endpoint
    EXPECT_EQ(sys_->list_field("pm", 1), restarts);
    expect_cat_works("after the update");
    // A second update takes over the first one's checkpoint.
    r = sys_->service("update self -label pm -state 3");
    ASSERT_EQ(r.status, 0) << r.out;
    expect_cat_works("after the second update");
    expect_children_intact("PMLU: first child: signal 11");
    EXPECT_EQ(sys_->log.count("PMLU: wait asked again"), 0);  // an update loses no request
}

// -x, -y, -z: the new version crashes, fails or hangs in its init; RS rolls
// back and the old version serves with its state. A state PM cannot reach
// times out: the custom one always, REQUEST_FREE while a wait is suspended.
TEST_F(PmStateSystem, RollbacksAndUnreachableStatesLeaveTheOldVersionServing) {
    const std::string restarts = sys_->list_field("pm", 1);
    struct Case {
        const char* args;
        const char* error;
    };
    for (const Case& c :
         {Case{"-x", "ERESTART"}, Case{"-y", "ENOSYS"}, Case{"-z", "EINTR"},
          Case{"-state 4 -maxtime 1HZ", "EINTR"}, Case{"-state 2 -maxtime 1HZ", "EINTR"}}) {
        const umk_test::CliResult r = sys_->service(std::string("update self -label pm ") + c.args);
        EXPECT_NE(r.status, 0) << c.args << ": " << r.out;
        EXPECT_NE(r.out.find(c.error), std::string::npos) << c.args << ": " << r.out;
        EXPECT_EQ(sys_->list_field("pm", 0), "0") << c.args;
        EXPECT_EQ(sys_->list_field("pm", 1), restarts) << c.args;
        expect_cat_works(c.args);
    }
    EXPECT_EQ(sys_->log.count("pm: live update: took over"), 0);
    EXPECT_EQ(sys_->log.count("RS: update of 'pm' failed: maximum prepare time reached"), 2);
    expect_children_intact("PMLU: first child: signal 11");
}

// A crash (host SIGSEGV: the kernel freezes the image, its memory stays):
// the replica at PM's endpoint restores the checkpoint. The suspended wait
// failed with ERESTART and is asked again; children and zombie are still
// the parent's.
TEST_F(PmStateSystem, CrashKeepsChildrenZombiesAndTheRetriedWait) {
    crash_pm(SIGSEGV);
    EXPECT_TRUE(sys_->log.wait_for(
        "pm: restarted with the previous instance's state: 1 processes, 1 zombies; 1 suspended "
        "waits were failed with ERESTART",
        nullptr, 5s));
    expect_children_intact("PMLU: first child: signal 11");
    // The wait crossed the crash as a retry (logged once it is answered).
    EXPECT_EQ(sys_->log.count("PMLU: wait asked again 1 times after ERESTART"), 1);
}

// kill -9: the image and its checkpoints are gone. The replica says so and
// rebuilds from the kernel's process table: the child survives as an
// orphan (its parent's retried wait: ESRCH), the zombie's status is lost,
// user programs run again.
TEST_F(PmStateSystem, ALostCheckpointIsSaidAndRebuiltFromTheKernel) {
    crash_pm(SIGKILL);
    EXPECT_TRUE(sys_->log.wait_for("pm: state of the previous instance lost (EFAULT", nullptr, 5s));
    EXPECT_TRUE(sys_->log.wait_for("rebuilt 1 user processes", nullptr, 5s));
    EXPECT_TRUE(sys_->log.wait_for("PMLU: first child: error -3", nullptr, 5s));
    const int pid = sys_->host_pid("st_spin");  // the orphan runs on
    EXPECT_GT(pid, 0) << sys_->ps().out;
    EXPECT_TRUE(sys_->log.wait_for("PMLU: zombie: error -3", nullptr, 5s));
    EXPECT_TRUE(sys_->log.wait_for("PMLU: done", nullptr, 10s));
    // The orphan still ends through PM.
    if (pid > 0) {
        ASSERT_EQ(kill(pid, SIGSEGV), 0);
        EXPECT_TRUE(sys_->log.wait_for("pm: st_spin (endpoint", nullptr, 5s));
        EXPECT_TRUE(umk_test::eventually([&] { return count_spin() == 0; }));
    }
}

}  // namespace
