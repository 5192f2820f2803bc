// The `umk` executable: help, booting the default config, shutdown on
// SIGTERM, and no child surviving a kill -9 of the kernel.
#include <fcntl.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "harness.h"

namespace umk_test {
namespace {

// `umk ARGS...` as a child, its stdout (and optionally stderr) captured line by line.
class UmkProcess {
  public:
    explicit UmkProcess(std::vector<std::string> args) {
        int out[2];
        if (pipe2(out, O_CLOEXEC) != 0) return;
        pid_ = fork();
        if (pid_ == 0) {
            dup2(out[1], 1);
            dup2(out[1], 2);
            std::vector<char*> argv{const_cast<char*>(UMK_EXE)};
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            execv(UMK_EXE, argv.data());
            _exit(127);
        }
        close(out[1]);
        reader_ = std::thread([this, fd = out[0]] {
            std::string cur;
            char buf[4096];
            for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) {
                for (ssize_t i = 0; i < n; ++i) {
                    if (buf[i] == '\n') {
                        log.add(cur);
                        cur.clear();
                    } else {
                        cur.push_back(buf[i]);
                    }
                }
            }
            if (!cur.empty()) log.add(cur);
            close(fd);
        });
    }
    ~UmkProcess() {
        if (pid_ > 0 && status_ < 0) {
            kill(pid_, SIGKILL);
            wait();
        }
        if (reader_.joinable()) reader_.join();
    }
    int wait() {
        int st = 0;
        if (waitpid(pid_, &st, 0) == pid_) status_ = st;
        return status_;
    }
    pid_t pid() const { return pid_; }

    LogCapture log;

  private:
    pid_t pid_ = -1;
    int status_ = -1;
    std::thread reader_;
};

TEST(UmkExecutable, HelpListsCommands) {
    UmkProcess u({"--help"});
    int st = u.wait();
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    EXPECT_TRUE(u.log.wait_for("  boot ", nullptr, 5s));
    UmkProcess b({"help", "boot"});
    b.wait();
    EXPECT_TRUE(b.log.wait_for("--config FILE", nullptr, 5s));
    UmkProcess bad({"frobnicate"});
    st = bad.wait();
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 2);
    EXPECT_TRUE(bad.log.wait_for("no command 'frobnicate'", nullptr, 5s));
}

TEST(UmkExecutable, BadConfigNamesFileAndLine) {
    std::string path = ::testing::TempDir() + "bad_boot.conf";
    std::ofstream(path) << "# fine\nproc 1 x programm=y\n";
    UmkProcess u({"boot", "--config", path});
    int st = u.wait();
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    EXPECT_TRUE(u.log.wait_for(path + ":2: unknown or misplaced option 'programm=y'", nullptr, 5s));
}

TEST(UmkExecutable, DefaultBootRunsTheFullSystemAndStopsOnSigterm) {
    // The default boot.conf is the full system: PM, devman, RS, TTY, DS, VM, hello.
    const std::string sock = ::testing::TempDir() + "default_boot.sock";
    UmkProcess u({"boot", "--sock", sock});
    ASSERT_TRUE(u.log.wait_for("hello: Hello, World!", nullptr, 10s));
    std::vector<pid_t> kids = children_of(u.pid());
    EXPECT_EQ(kids.size(), 7u);
    kill(u.pid(), SIGTERM);
    int st = u.wait();
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
    for (pid_t k : kids) EXPECT_FALSE(pid_alive(k)) << k;
}

TEST(UmkExecutable, DemoConfigRunsPingPong) {
    UmkProcess u({"boot", "--config", UMK_ETC "/demo.conf", "--programs", UMK_TEST_PROGRAMS});
    ASSERT_TRUE(u.log.wait_for("ping: done 5/5 ok", nullptr, 10s));
    kill(u.pid(), SIGTERM);
    int st = u.wait();
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
}

TEST(UmkExecutable, ExitsWhenEveryBootProcessIsGone) {
    std::string path = ::testing::TempDir() + "exit_boot.conf";
    std::ofstream(path) << "proc 1 a program=test_crash sys args=exit\n"
                           "proc 2 b program=test_crash sys args=exit\n";
    UmkProcess u({"boot", "--config", path, "--programs", UMK_TEST_PROGRAMS});
    int st = u.wait();
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << st;
    EXPECT_TRUE(u.log.wait_for("exited with status 3", nullptr, 5s));
    EXPECT_TRUE(u.log.wait_for("every host process is gone", nullptr, 5s));
}

TEST(UmkExecutable, Kill9OfKernelLeavesNoChild) {
    UmkProcess u({"boot", "--config", UMK_ETC "/demo.conf", "--programs", UMK_TEST_PROGRAMS});
    ASSERT_TRUE(u.log.wait_for("ping: done 5/5 ok", nullptr, 10s));
    std::vector<pid_t> kids = children_of(u.pid());
    ASSERT_EQ(kids.size(), 3u);
    kill(u.pid(), SIGKILL);
    u.wait();
    for (int i = 0; i < 200; ++i) {
        bool any = false;
        for (pid_t k : kids) any = any || pid_alive(k);
        if (!any) break;
        std::this_thread::sleep_for(10ms);
    }
    for (pid_t k : kids) EXPECT_FALSE(pid_alive(k)) << "child " << k << " survived the kernel";
}

}  // namespace
}  // namespace umk_test
