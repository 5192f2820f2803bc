#include "booted_system.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace umk_test {

const std::string& umk_exe() {
    static const std::string s = UMK_EXE;
    return s;
}
const std::string& test_programs() {
    static const std::string s = UMK_TEST_PROGRAMS;
    return s;
}
std::string system_image(const std::string& extra) {
    return "proc   0  pm      program=pm\n"
           "proc   1  devman  program=devman\n"
           "proc   2  rs      program=rs sys ipc=all calls=all sigmgr=SELF\n"
           "proc   5  tty     program=tty\n"
           "proc   6  ds      program=ds\n"
           "proc   8  vm      program=vm\n"
           "proc   10 hello   program=hello\n" +
           extra;
}

const std::string& default_boot_conf() {
    static const std::string s = UMK_BOOT_CONF;
    return s;
}

namespace {

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

std::string joined(const std::vector<std::string>& args) {
    std::string s = "umk";
    for (const std::string& a : args) s += " " + a;
    return s;
}

// Forks `umk ARGS...` in a process group of its own with stdout and stderr
// on the write end of a new pipe; the read end in *out_fd. Only
// async-signal-safe calls after fork: the tests call this from threads.
pid_t spawn_umk(const std::vector<std::string>& args, int* out_fd) {
    std::vector<std::string> all{umk_exe()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    const pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, 0);
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return -1;
    }
    setpgid(pid, pid);  // also here: no race with a kill of the group
    *out_fd = fds[0];
    return pid;
}

int exit_code(int wait_status) {
    return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
}

}  // namespace

CliResult run_umk(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
    CliResult r;
    int fd = -1;
    const pid_t pid = spawn_umk(args, &fd);
    if (pid < 0) {
        ADD_FAILURE() << "cannot run " << joined(args) << ": " << std::strerror(errno);
        return r;
    }
    const auto end = std::chrono::steady_clock::now() + timeout;
    auto left_ms = [&] {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now());
        return static_cast<int>(std::max<long long>(ms.count(), 0));
    };
    bool timed_out = false;
    char buf[4096];
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        const int n = poll(&p, 1, left_ms());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            timed_out = n == 0;
            break;
        }
        const ssize_t got = read(fd, buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;  // end of file: every writer is gone
        r.out.append(buf, static_cast<std::size_t>(got));
    }
    close(fd);
    int st = 0;
    while (!timed_out && waitpid(pid, &st, WNOHANG) == 0) {
        if (left_ms() == 0) {
            timed_out = true;
            break;
        }
        std::this_thread::sleep_for(5ms);
    }
    if (timed_out) {
        kill(-pid, SIGKILL);
        waitpid(pid, &st, 0);
        ADD_FAILURE() << joined(args) << " did not finish within " << timeout.count()
                      << " ms (killed); its output:\n"
                      << r.out;
        return r;
    }
    r.status = exit_code(st);
    return r;
}

BootedSystem::BootedSystem(BootOptions opt) {
    std::string tmpl = ::testing::TempDir() + "umk-sys-XXXXXX";
    if (!mkdtemp(tmpl.data())) {
        ADD_FAILURE() << "mkdtemp " << tmpl << ": " << std::strerror(errno);
        return;
    }
    dir_ = tmpl;
    std::vector<std::string> args{"boot"};
    if (!opt.config_text.empty()) {
        conf_ = dir_ + "/boot.conf";
        std::ofstream(conf_) << opt.config_text;
        args.insert(args.end(), {"--config", conf_});
    } else if (!opt.config_path.empty()) {
        args.insert(args.end(), {"--config", opt.config_path});
    }
    if (opt.programs) args.insert(args.end(), {"--programs", test_programs()});
    if (opt.control_socket) {
        sock_ = dir_ + "/ctl.sock";
        args.insert(args.end(), {"--sock", sock_});
    }
    args.insert(args.end(), opt.extra_args.begin(), opt.extra_args.end());
    int fd = -1;
    pid_ = spawn_umk(args, &fd);
    if (pid_ < 0) {
        ADD_FAILURE() << "cannot start " << joined(args) << ": " << std::strerror(errno);
        return;
    }
    // Every service holds the write end too (their stdout): the end of file
    // can come well after the kernel has gone, or never if one is left, so
    // the reader also stops when told to (reader_stop_) and nothing came.
    reader_ = std::thread([this, fd] {
        std::string cur;
        char buf[4096];
        for (;;) {
            pollfd p{fd, POLLIN, 0};
            const int n = poll(&p, 1, 50);
            if (n < 0 && errno == EINTR) continue;
            if (n == 0) {
                if (reader_stop_) break;
                continue;
            }
            const ssize_t got = n < 0 ? -1 : read(fd, buf, sizeof buf);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) break;
            for (ssize_t i = 0; i < got; ++i) {
                if (buf[i] != '\n') {
                    cur.push_back(buf[i]);
                    continue;
                }
                log.add(cur);
                cur.clear();
            }
        }
        if (!cur.empty()) log.add(cur);
        close(fd);
    });
}

BootedSystem::~BootedSystem() {
    finish(false);
}

CliResult BootedSystem::cli(const std::string& verb, const std::string& args,
                            std::chrono::milliseconds timeout) {
    std::vector<std::string> all{verb, "--sock", sock_};
    for (std::string& a : split(args)) all.push_back(std::move(a));
    return run_umk(all, timeout);
}

std::string BootedSystem::list_field(const std::string& label, int field) {
    std::istringstream in(service("list").out);
    for (std::string line; std::getline(in, line);) {
        std::istringstream w(line);
        std::string l, f[5];
        w >> l >> f[0] >> f[1] >> f[2] >> f[3] >> f[4];
        if (l == label) return f[field];
    }
    return "";
}

int BootedSystem::host_pid(const std::string& name) {
    std::istringstream in(ps().out);
    for (std::string line; std::getline(in, line);) {
        std::istringstream w(line);
        std::string slot, ep, n, flags, mgr, pid;
        w >> slot >> ep >> n >> flags >> mgr >> pid;
        if (n == name && pid != "-") return std::stoi(pid);
    }
    return 0;
}

std::optional<int> BootedSystem::wait_exit(std::chrono::milliseconds limit) {
    if (status_ || pid_ <= 0) return status_;
    int st = 0;
    if (eventually([&] { return waitpid(pid_, &st, WNOHANG) == pid_; }, limit)) status_ = st;
    return status_;
}

void BootedSystem::stop(std::chrono::milliseconds limit) {
    if (pid_ <= 0 || status_) return;
    struct stat sb;
    const bool has_socket = !sock_.empty() && ::stat(sock_.c_str(), &sb) == 0;
    if (!has_socket || run_umk({"service", "--sock", sock_, "shutdown"}, limit).status != 0)
        kill(pid_, SIGTERM);
    if (wait_exit(limit)) return;
    ADD_FAILURE() << "the system did not stop within " << limit.count() << " ms; killed";
    kill(-pid_, SIGKILL);
    int st = 0;
    waitpid(pid_, &st, 0);
    status_ = st;
}

std::vector<pid_t> BootedSystem::leftovers() const {
    std::vector<pid_t> out;
    if (pid_ <= 0) return out;
    for (const ProcStat& p : processes())
        if (p.pgrp == pid_ && p.state != 'Z') out.push_back(p.pid);
    return out;
}

void BootedSystem::stop_and_check() {
    finish(true);
}

void BootedSystem::finish(bool report) {
    if (finished_) return;
    finished_ = true;
    if (pid_ > 0) {
        if (report) {
            stop();
        } else if (!status_) {
            kill(-pid_, SIGKILL);
            int st = 0;
            waitpid(pid_, &st, 0);
            status_ = st;
        }
        // Services die with the kernel (PR_SET_PDEATHSIG), a moment later.
        if (!eventually([&] { return leftovers().empty(); }) && report) {
            std::string which;
            for (pid_t p : leftovers()) which += " " + std::to_string(p);
            ADD_FAILURE() << "processes of the booted system were left behind:" << which;
        }
        kill(-pid_, SIGKILL);  // whatever is left, so that the next test starts clean
    }
    reader_stop_ = true;
    if (reader_.joinable()) reader_.join();
    if (!dir_.empty()) {
        if (!conf_.empty()) unlink(conf_.c_str());
        if (!sock_.empty()) unlink(sock_.c_str());
        rmdir(dir_.c_str());
        dir_.clear();
    }
}

BootedSystem& BootedSystemTest::boot(BootOptions opt) {
    sys_ = std::make_unique<BootedSystem>(std::move(opt));
    return *sys_;
}

void BootedSystemTest::TearDown() {
    if (sys_) sys_->stop_and_check();
    EXPECT_EQ(children_of(getpid()).size(), 0u) << "a child process was left behind";
    if (HasFailure() && sys_)
        std::fprintf(stderr, "---- boot log ----\n%s----\n", sys_->log.text().c_str());
    sys_.reset();
}

void DefaultSystemTest::SetUp() {
    boot({.config_path = default_boot_conf()});
    ASSERT_TRUE(
        eventually([&] { return service("lookup hello").status == 0; }, std::chrono::seconds(15)))
        << "system did not come up";
}

int DefaultSystemTest::endpoint_of(const std::string& label) {
    CliResult r = service("lookup " + label);
    return r.status == 0 ? std::stoi(r.out) : -1;
}

}  // namespace umk_test
