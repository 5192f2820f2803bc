// PM, devman and hello inside a booted umk system: user processes spawned
// by PM read /dev/hello through devman; users cannot kill system
// processes; a user's signal goes through PM; a system process's signal
// goes to RS, or to PM when PM is its signal manager; a crashed hello is
// restarted by RS and devman sends the next read to the new instance; the
// user program cat, spawned with arguments, writes into a pipe.
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
    EXPECT_EQ(log.count("hello: hello_open(). Called 1 time(s)."), 2);  // before and after
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

}  // namespace
