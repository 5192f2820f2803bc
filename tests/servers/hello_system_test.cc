// hello through the `umk` executable, as a person would drive it: boot a
// system (RS, PM, DS, VM, devman, hello, the control socket), read
// /dev/hello with `umk cat`, restart and live-update hello with
// `umk service`. The kernel runs as a child process; every path kills and
// reaps it.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace {

using umk_test::LogCapture;
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

// `umk boot` as a child with its log captured line by line.
class BootedSystem {
  public:
    explicit BootedSystem(const std::string& dir) : dir_(dir) {
        std::ofstream(dir_ + "/boot.conf") << kSystem;
        sock_ = dir_ + "/ctl.sock";
        int out[2];
        if (pipe2(out, O_CLOEXEC) != 0) return;
        pid_ = fork();
        if (pid_ == 0) {
            dup2(out[1], 1);
            dup2(out[1], 2);
            std::string conf = dir_ + "/boot.conf";
            execl(UMK_EXE, UMK_EXE, "boot", "--config", conf.c_str(), "--programs",
                  UMK_TEST_PROGRAMS, "--sock", sock_.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
        close(out[1]);
        reader_ = std::thread([this, fd = out[0]] {
            std::string cur;
            char buf[4096];
            for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) {
                for (ssize_t i = 0; i < n; ++i) {
                    if (buf[i] != '\n') {
                        cur.push_back(buf[i]);
                        continue;
                    }
                    log.add(cur);
                    cur.clear();
                }
            }
            close(fd);
        });
    }
    ~BootedSystem() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            int st;
            for (int i = 0; i < 50 && waitpid(pid_, &st, WNOHANG) == 0; i++)
                std::this_thread::sleep_for(100ms);
            if (waitpid(pid_, &st, WNOHANG) == 0) {
                kill(pid_, SIGKILL);
                waitpid(pid_, &st, 0);
            }
        }
        if (reader_.joinable()) reader_.join();
    }
    // A `umk` client command against this system: its exit status; its
    // output in *out.
    int umk(const std::string& args, std::string* out = nullptr) {
        std::string cmd = std::string(UMK_EXE) + " " + args.substr(0, args.find(' ')) + " --sock " +
                          sock_ + args.substr(args.find(' ')) + " 2>&1";
        FILE* f = popen(cmd.c_str(), "r");
        if (!f) return -1;
        std::string text;
        char buf[512];
        while (std::fgets(buf, sizeof buf, f)) text += buf;
        int st = pclose(f);
        if (out) *out = text;
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
    // Up: the control socket listens and RS has started hello (the last boot
    // service it adopts, so devman and DS are configured too).
    bool ready() {
        return log.wait_for("umkctl: control socket", nullptr, 10s) &&
               log.wait_for("hello: Hello, World!", nullptr, 10s);
    }

    LogCapture log;

  private:
    std::string dir_, sock_;
    pid_t pid_ = -1;
    std::thread reader_;
};

class HelloSystem : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/umk-hello-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override {
        std::remove((dir_ + "/boot.conf").c_str());
        std::remove((dir_ + "/ctl.sock").c_str());
        rmdir(dir_.c_str());
        EXPECT_EQ(umk_test::children_of(getpid()).size(), 0u) << "a child process was left behind";
    }
    std::string dir_;
};

TEST_F(HelloSystem, CatAndRestart) {
    BootedSystem sys(dir_);
    ASSERT_TRUE(sys.ready());
    std::string out;
    EXPECT_EQ(sys.umk("cat /dev/hello", &out), 0) << out;
    EXPECT_EQ(out, "Hello, World!\n");
    EXPECT_EQ(sys.umk("cat /dev/hello", &out), 0) << out;
    EXPECT_TRUE(sys.log.wait_for("hello_open(). Called 2 time(s).", nullptr, 10s));
    EXPECT_NE(sys.umk("cat /dev/nosuch", &out), 0);

    // A restart: new endpoint, counter from 0, devman follows.
    EXPECT_EQ(sys.umk("service refresh hello", &out), 0) << out;
    ASSERT_TRUE(sys.log.wait_for("Hey, I've just been restarted!", nullptr, 10s));
    ASSERT_TRUE(sys.log.wait_for("RS: service 'hello' restarted", nullptr, 10s));
    EXPECT_EQ(sys.umk("cat /dev/hello", &out), 0) << out;
    EXPECT_EQ(out, "Hello, World!\n");
    // The log reaches us through TTY and a pipe: wait for the last line.
    EXPECT_EQ(sys.log.wait_and_count("hello_open(). Called 1 time(s).", 2), 2);
}

// `umk cat PATH` runs the user program cat through PM: the proxy gives it a
// pipe at its descriptors 1 and 2, streams what cat writes and exits with
// cat's status. Every run opens the device once more, and no cat is left in
// the process table (the proxy waited for each).
TEST_F(HelloSystem, CatIsAUserProgramSpawnedThroughPm) {
    BootedSystem sys(dir_);
    ASSERT_TRUE(sys.ready());
    std::string out, before;
    ASSERT_EQ(sys.umk("ps ", &before), 0) << before;
    for (int i = 1; i <= 3; i++) {
        EXPECT_EQ(sys.umk("cat /dev/hello", &out), 0) << out;
        EXPECT_EQ(out, "Hello, World!\n");
        EXPECT_TRUE(sys.log.wait_for("hello_open(). Called " + std::to_string(i) + " time(s).",
                                     nullptr, 10s));
    }
    // cat's own message (through the pipe) and its exit status 1.
    EXPECT_EQ(sys.umk("cat /dev/nope", &out), 1);
    EXPECT_EQ(out, "cat: /dev/nope: No such device\n");
    // Several at once (both proxies busy): each gets its own output.
    std::vector<std::thread> many;
    std::vector<std::string> outs(6);
    std::vector<int> codes(6, -1);
    for (int i = 0; i < 6; i++)
        many.emplace_back([&, i] { codes[i] = sys.umk("cat /dev/hello", &outs[i]); });
    for (auto& t : many) t.join();
    for (int i = 0; i < 6; i++) {
        EXPECT_EQ(codes[i], 0) << outs[i];
        EXPECT_EQ(outs[i], "Hello, World!\n");
    }
    EXPECT_TRUE(sys.log.wait_for("hello_open(). Called 9 time(s).", nullptr, 10s));
    EXPECT_TRUE(sys.log.wait_for("hello_close()", nullptr, 10s));
    // No user process is left behind.
    ASSERT_EQ(sys.umk("ps ", &out), 0) << out;
    EXPECT_EQ(out.find(" cat "), std::string::npos) << out;
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'),
              std::count(before.begin(), before.end(), '\n'))
        << before << "----\n"
        << out;
}

// The MINIX hello live update: the open counter crosses to the new version
// (hello_v2, which says so in the log) through DS; then a failed update
// (the new version's init crashes) rolls back to the running version.
TEST_F(HelloSystem, LiveUpdateKeepsTheOpenCounter) {
    BootedSystem sys(dir_);
    ASSERT_TRUE(sys.ready());
    std::string out;
    EXPECT_EQ(sys.umk("cat /dev/hello", &out), 0) << out;
    EXPECT_EQ(sys.umk("cat /dev/hello", &out), 0) << out;
    EXPECT_EQ(sys.umk("service update hello_v2 -label hello -state 1", &out), 0) << out;
    EXPECT_TRUE(sys.log.wait_for("Hello, World! (v2) Hey, I'm a new version! (open_counter 2)",
                                 nullptr, 10s));
    EXPECT_EQ(sys.umk("cat /dev/hello", &out), 0) << out;
    EXPECT_TRUE(sys.log.wait_for("hello_open(). Called 3 time(s).", nullptr, 10s));
    // VM swapped its records: hello's slot keeps endpoint and slot, and the
    // record of the running image has been through one update.
    EXPECT_EQ(sys.umk("service up st_vminfo", &out), 0) << out;
    EXPECT_TRUE(sys.log.wait_for("VMINFO: hello endpoint 10 slot 10 updates 1", nullptr, 10s));

    // A failed update (the new version's init crashes) rolls back: the old
    // version goes on counting.
    EXPECT_EQ(sys.umk("service update hello -label hello -state 1 -x", &out), 85) << out;
    EXPECT_EQ(sys.umk("cat /dev/hello", &out), 0) << out;
    EXPECT_TRUE(sys.log.wait_for("hello_open(). Called 4 time(s).", nullptr, 10s));
}

}  // namespace
