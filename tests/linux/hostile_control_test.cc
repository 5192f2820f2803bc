// The control socket under attack: another local user trying to reach it,
// to put their own socket or directory in its place, a second kernel on a
// live socket, and many clients while requests wait on a hung service. The
// rest of the system must go on serving, and the victim's tools must refuse
// what they do not own.
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>
#include <optional>
#include <vector>

#include "booted_system.h"
#include "cgroup_freezer.h"
#include "ctl_proto.h"
#include "umk/err.h"

namespace umk_test {
namespace {

constexpr uid_t NOBODY = 65534;

// An environment variable for the kernel and the tools this test starts.
class ScopedEnv {
  public:
    ScopedEnv(const char* name, const std::string& value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (old_)
            setenv(name_, old_->c_str(), 1);
        else
            unsetenv(name_);
    }

  private:
    const char* name_;
    std::optional<std::string> old_;
};

class ScopedUmask {
  public:
    explicit ScopedUmask(mode_t m) : old_(umask(m)) {}
    ~ScopedUmask() { umask(old_); }

  private:
    mode_t old_;
};

std::string private_tmp() {
    std::string t = ::testing::TempDir() + "umk-ctl-XXXXXX";
    return mkdtemp(t.data()) ? t : "";
}

mode_t mode_of(const std::string& path) {
    struct stat st {};
    return lstat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

// A socket file with a listener behind it (the "other kernel").
int listen_at(const std::string& path) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0 || bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(s, 4) != 0) {
        if (s >= 0) close(s);
        return -1;
    }
    return s;
}

class HostileControlSocket : public BootedSystemTest {};

TEST_F(HostileControlSocket, SocketAndDirectoryArePrivateUnderUmask000) {
    const std::string run = private_tmp();
    ASSERT_FALSE(run.empty());
    ScopedEnv xdg("XDG_RUNTIME_DIR", run);
    ScopedUmask open_umask(0);
    // The default path: the kernel creates $XDG_RUNTIME_DIR/umk itself.
    BootedSystem& sys = boot({.control_socket = false});
    ASSERT_TRUE(sys.log.wait_for("umkctl: control socket", nullptr, 15s));
    EXPECT_EQ(mode_of(run + "/umk"), 0700u);
    EXPECT_EQ(mode_of(run + "/umk/ctl.sock"), 0600u);
    CliResult ps = run_umk({"ps"});  // the default path, checked and accepted
    EXPECT_EQ(ps.status, 0) << ps.out;
    EXPECT_NE(ps.out.find("umkctl"), std::string::npos) << ps.out;
    run_umk({"service", "shutdown"});
    sys.stop();
    std::filesystem::remove_all(run);
}

TEST_F(HostileControlSocket, DirectoryOfAnotherUserIsRefused) {
    const std::string run = private_tmp();
    ASSERT_FALSE(run.empty());
    ScopedEnv xdg("XDG_RUNTIME_DIR", run);
    // Another user got there first: the default directory is theirs.
    ASSERT_EQ(mkdir((run + "/umk").c_str(), 0700), 0);
    ASSERT_EQ(chown((run + "/umk").c_str(), NOBODY, NOBODY), 0);
    CliResult b = run_umk({"boot", "--programs", test_programs()}, 10s);
    EXPECT_EQ(b.status, 1) << b.out;
    EXPECT_NE(b.out.find("belongs to uid 65534, not to you"), std::string::npos) << b.out;
    CliResult ps = run_umk({"ps"}, 10s);
    EXPECT_NE(ps.status, 0) << ps.out;
    EXPECT_NE(ps.out.find("belongs to uid 65534"), std::string::npos) << ps.out;
    // One we own but anyone may write into is no better.
    ASSERT_EQ(chown((run + "/umk").c_str(), 0, 0), 0);
    ASSERT_EQ(chmod((run + "/umk").c_str(), 0777), 0);
    CliResult b2 = run_umk({"boot", "--programs", test_programs()}, 10s);
    EXPECT_EQ(b2.status, 1) << b2.out;
    EXPECT_NE(b2.out.find("has mode 0777"), std::string::npos) << b2.out;
    std::filesystem::remove_all(run);
}

TEST_F(HostileControlSocket, SocketOfAnotherUserIsRefused) {
    const std::string dir = private_tmp();
    ASSERT_FALSE(dir.empty());
    const std::string sock = dir + "/ctl.sock";
    // Someone else's listener answers at the path we would use.
    const int impostor = listen_at(sock);
    ASSERT_GE(impostor, 0) << std::strerror(errno);
    ASSERT_EQ(chown(sock.c_str(), NOBODY, NOBODY), 0);
    CliResult s = run_umk({"service", "--sock", sock, "up", "/bin/sh"}, 10s);
    EXPECT_NE(s.status, 0) << s.out;
    EXPECT_NE(s.out.find("belongs to uid 65534"), std::string::npos) << s.out;
    // It never received the command: nothing connected.
    pollfd p{impostor, POLLIN, 0};
    EXPECT_EQ(poll(&p, 1, 100), 0);
    // And no kernel boots a second, unreachable system on it.
    CliResult b = run_umk({"boot", "--sock", sock, "--programs", test_programs()}, 10s);
    EXPECT_EQ(b.status, 1) << b.out;
    EXPECT_NE(b.out.find("is served by a running kernel"), std::string::npos) << b.out;
    close(impostor);
    std::filesystem::remove_all(dir);
}

TEST_F(HostileControlSocket, SecondBootOnALiveSocketFails) {
    BootedSystem& sys = boot();
    ASSERT_TRUE(sys.log.wait_for("umkctl: control socket", nullptr, 15s));
    CliResult b = run_umk({"boot", "--sock", sys.socket(), "--programs", test_programs()}, 10s);
    EXPECT_EQ(b.status, 1) << b.out;
    EXPECT_NE(b.out.find(sys.socket() + " is served by a running kernel"), std::string::npos)
        << b.out;
    // The first system is untouched.
    CliResult ps = sys.ps();
    EXPECT_EQ(ps.status, 0) << ps.out;
}

TEST_F(HostileControlSocket, StaleSocketIsReplaced) {
    const std::string dir = private_tmp();
    ASSERT_FALSE(dir.empty());
    const std::string sock = dir + "/ctl.sock";
    const int dead = listen_at(sock);  // a kernel that died without cleaning up
    ASSERT_GE(dead, 0);
    close(dead);
    BootedSystem& sys = boot({.control_socket = false, .extra_args = {"--sock", sock}});
    ASSERT_TRUE(sys.log.wait_for("umkctl: control socket " + sock, nullptr, 15s));
    CliResult ps = run_umk({"ps", "--sock", sock});
    EXPECT_EQ(ps.status, 0) << ps.out;
    run_umk({"service", "--sock", sock, "shutdown"});
    sys.stop();
    std::filesystem::remove_all(dir);
}

// What a peer with another uid gets, talking the protocol itself (the `umk`
// tools would already refuse a socket they do not own).
umk::control::CtlReply connect_as_nobody(const std::string& sock) {
    int pipefd[2];
    umk::control::CtlReply reply{};
    if (pipe(pipefd) != 0) return reply;
    const pid_t child = fork();
    if (child == 0) {
        close(pipefd[0]);
        umk::control::CtlReply got{};
        if (setgid(NOBODY) == 0 && setuid(NOBODY) == 0) {
            sockaddr_un a{};
            a.sun_family = AF_UNIX;
            std::strncpy(a.sun_path, sock.c_str(), sizeof a.sun_path - 1);
            const int s = socket(AF_UNIX, SOCK_STREAM, 0);
            if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
                umk::control::CtlRequest rq{};
                rq.magic = umk::control::CTL_MAGIC;
                rq.op = umk::control::CTL_PS;
                // The kernel may answer and close before the request is
                // written: no SIGPIPE, and the answer is read all the same.
                (void)!send(s, &rq, sizeof rq, MSG_NOSIGNAL);
                (void)!recv(s, &got, sizeof got, MSG_WAITALL);
            } else {
                got.status = -errno;
            }
        }
        (void)!write(pipefd[1], &got, sizeof got);
        _exit(0);
    }
    close(pipefd[1]);
    (void)!read(pipefd[0], &reply, sizeof reply);
    close(pipefd[0]);
    waitpid(child, nullptr, 0);
    return reply;
}

TEST_F(HostileControlSocket, PeerWithAnotherUidIsRefused) {
    BootedSystem& sys = boot();
    ASSERT_TRUE(sys.log.wait_for("umkctl: control socket", nullptr, 15s));
    const std::string dir = sys.socket().substr(0, sys.socket().rfind('/'));
    // The directory keeps others out...
    umk::control::CtlReply r = connect_as_nobody(sys.socket());
    EXPECT_EQ(r.status, -EACCES);
    // ...and if the file modes fail (loosened by mistake), the kernel still
    // checks who is on the other end.
    ASSERT_EQ(chmod(dir.c_str(), 0711), 0);
    ASSERT_EQ(chmod(sys.socket().c_str(), 0666), 0);
    r = connect_as_nobody(sys.socket());
    EXPECT_EQ(r.magic, umk::control::CTL_MAGIC);
    EXPECT_EQ(r.status, -EPERM);
    EXPECT_NE(std::string(r.text).find("uid 65534 may not control this kernel"), std::string::npos)
        << r.text;
    EXPECT_TRUE(sys.log.wait_for("connection refused: permission denied: uid 65534", nullptr, 5s));
    ASSERT_EQ(chmod(sys.socket().c_str(), 0600), 0);
    ASSERT_EQ(chmod(dir.c_str(), 0700), 0);
    CliResult ps = sys.ps();
    EXPECT_EQ(ps.status, 0) << ps.out;
}

// Requests stuck on a hung RS (frozen by the host) time out with an error
// naming it; every `umk ps` meanwhile is answered; once RS thaws the proxies
// it held come back.
TEST_F(HostileControlSocket, ManyClientsWhileRequestsToAHungServiceArePending) {
    CgroupFreezer cg;
    ASSERT_TRUE(cg.ok()) << cg.why() << ": this test needs cgroup v2 (run as root)";
    ScopedEnv deadline("UMK_CTL_DEADLINE_MS", "3000");
    BootedSystem& sys = boot();
    ASSERT_TRUE(sys.log.wait_for("umkctl: control socket", nullptr, 15s));
    const pid_t rs_pid = sys.host_pid("rs");
    ASSERT_GT(rs_pid, 0) << sys.ps().out;
    ASSERT_TRUE(cg.freeze(rs_pid));

    constexpr int kStuck = 6;  // more than the proxies: some wait in the queue
    constexpr int kPs = 24;
    std::vector<std::future<CliResult>> stuck, ps;
    for (int i = 0; i < kStuck; ++i)
        stuck.push_back(
            std::async(std::launch::async, [&] { return sys.cli("service", "list", 20s); }));
    std::this_thread::sleep_for(300ms);  // the RS requests hold their proxies
    for (int i = 0; i < kPs; ++i)
        ps.push_back(std::async(std::launch::async, [&] { return sys.cli("ps", {}, 20s); }));
    for (auto& f : ps) {
        CliResult r = f.get();
        EXPECT_EQ(r.status, 0) << r.out;
        EXPECT_NE(r.out.find("umkctl"), std::string::npos) << r.out;
    }
    for (auto& f : stuck) {
        CliResult r = f.get();
        EXPECT_EQ(r.status, EREQTIMEOUT) << r.out;
        const bool names_rs = r.out.find("no answer from rs within 3.0 s") != std::string::npos;
        const bool queued = r.out.find("no control proxy became free") != std::string::npos;
        EXPECT_TRUE(names_rs || queued) << r.out;
    }
    cg.thaw();
    EXPECT_TRUE(eventually([&] { return sys.cli("service", "list", 10s).status == 0; }, 15s));
    EXPECT_EQ(sys.ps().status, 0);
}

// An update asks the old version to prepare; a hung one never answers, and
// the request stays pending in RS (and in a proxy) up to its -maxtime.
// Everybody else is served meanwhile.
TEST_F(HostileControlSocket, ListAndPsAnswerWhileAnUpdateOfAHungServiceIsPending) {
    CgroupFreezer cg(Freezer::V1);  // the freezer a ptrace stop cannot get through
    ASSERT_TRUE(cg.ok()) << cg.why() << ": this test needs it (run as root)";
    BootedSystem& sys = boot();
    ASSERT_TRUE(sys.log.wait_for("umkctl: control socket", nullptr, 15s));
    // No -period: no heartbeat kills it while the update waits.
    CliResult up = sys.service("up rs_victim -label quiet -args good");
    ASSERT_EQ(up.status, 0) << up.out;
    const pid_t victim = sys.host_pid("rs_victim");  // ps names the program
    ASSERT_GT(victim, 0) << sys.ps().out;
    ASSERT_TRUE(cg.freeze(victim));
    auto update = std::async(std::launch::async, [&] {
        return sys.cli("service", "update self -label quiet -maxtime 5HZ", 20s);
    });
    // RS has asked the frozen service to prepare; it never will.
    ASSERT_EQ(update.wait_for(500ms), std::future_status::timeout);
    for (int i = 0; i < 5; ++i) {
        CliResult list = sys.cli("service", "list", 5s);
        EXPECT_EQ(list.status, 0) << list.out;
        EXPECT_NE(list.out.find("quiet"), std::string::npos) << list.out;
        CliResult ps = sys.cli("ps", {}, 5s);
        EXPECT_EQ(ps.status, 0) << ps.out;
    }
    // All of that while the update was still waiting for the hung service.
    EXPECT_EQ(update.wait_for(0s), std::future_status::timeout);
    CliResult u = update.get();  // RS gives up at -maxtime: an error, not a hang
    EXPECT_NE(u.status, 0) << u.out;
    EXPECT_NE(u.status, -1) << u.out;
    cg.thaw();
    EXPECT_EQ(sys.ps().status, 0);
}

}  // namespace
}  // namespace umk_test
