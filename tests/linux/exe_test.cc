// The `umk` executable: help, booting the default config, shutdown on
// SIGTERM, and no child surviving a kill -9 of the kernel.
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <thread>

#include "booted_system.h"

namespace umk_test {
namespace {

class UmkExecutable : public BootedSystemTest {};

bool exited_with(const std::optional<int>& st, int code) {
    return st && WIFEXITED(*st) && WEXITSTATUS(*st) == code;
}

TEST_F(UmkExecutable, HelpListsCommands) {
    CliResult u = run_umk({"--help"});
    EXPECT_EQ(u.status, 0);
    EXPECT_NE(u.out.find("  boot "), std::string::npos) << u.out;
    CliResult b = run_umk({"help", "boot"});
    EXPECT_NE(b.out.find("--config FILE"), std::string::npos) << b.out;
    CliResult bad = run_umk({"frobnicate"});
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.out.find("no command 'frobnicate'"), std::string::npos) << bad.out;
}

TEST_F(UmkExecutable, BadConfigNamesFileAndLine) {
    std::string path = ::testing::TempDir() + "bad_boot.conf";
    std::ofstream(path) << "# fine\nproc 1 x programm=y\n";
    CliResult u = run_umk({"boot", "--config", path});
    EXPECT_EQ(u.status, 1);
    EXPECT_NE(u.out.find(path + ":2: unknown or misplaced option 'programm=y'"), std::string::npos)
        << u.out;
}

TEST_F(UmkExecutable, DefaultBootRunsTheFullSystemAndStopsOnSigterm) {
    // The default boot.conf is the full system: PM, devman, RS, the guard,
    // TTY, DS, VM, hello.
    BootedSystem& u = boot({.programs = false});
    ASSERT_TRUE(u.log.wait_for("hello: Hello, World!", nullptr, 10s));
    std::vector<pid_t> kids = children_of(u.pid());
    EXPECT_EQ(kids.size(), 8u);
    kill(u.pid(), SIGTERM);
    std::optional<int> st = u.wait_exit(30s);
    EXPECT_TRUE(exited_with(st, 0)) << st.value_or(-1);
    for (pid_t k : kids) EXPECT_FALSE(pid_alive(k)) << k;
}

TEST_F(UmkExecutable, DemoConfigRunsPingPong) {
    BootedSystem& u = boot({.config_path = UMK_ETC "/demo.conf", .control_socket = false});
    ASSERT_TRUE(u.log.wait_for("ping: done 5/5 ok", nullptr, 10s));
    kill(u.pid(), SIGTERM);
    std::optional<int> st = u.wait_exit(30s);
    EXPECT_TRUE(exited_with(st, 0)) << st.value_or(-1);
}

TEST_F(UmkExecutable, ExitsWhenEveryBootProcessIsGone) {
    BootedSystem& u = boot({.config_text = "proc 1 a program=test_crash sys args=exit\n"
                                           "proc 2 b program=test_crash sys args=exit\n",
                            .control_socket = false});
    std::optional<int> st = u.wait_exit(30s);
    EXPECT_TRUE(exited_with(st, 0)) << st.value_or(-1);
    EXPECT_TRUE(u.log.wait_for("exited with status 3", nullptr, 5s));
    EXPECT_TRUE(u.log.wait_for("every host process is gone", nullptr, 5s));
}

TEST_F(UmkExecutable, Kill9OfKernelLeavesNoChild) {
    BootedSystem& u = boot({.config_path = UMK_ETC "/demo.conf", .control_socket = false});
    ASSERT_TRUE(u.log.wait_for("ping: done 5/5 ok", nullptr, 10s));
    std::vector<pid_t> kids = children_of(u.pid());
    ASSERT_EQ(kids.size(), 3u);
    kill(u.pid(), SIGKILL);
    u.wait_exit(30s);
    eventually(
        [&] {
            for (pid_t k : kids)
                if (pid_alive(k)) return false;
            return true;
        },
        10s);
    for (pid_t k : kids) EXPECT_FALSE(pid_alive(k)) << "child " << k << " survived the kernel";
}

}  // namespace
}  // namespace umk_test
