// Helpers for the Linux host integration tests: boot a Host in-process
// with a config written inline, capture its kernel log, wait for lines,
// and check that no process is left behind.
#pragma once

#include <dirent.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "umk_linux/boot_config.h"
#include "umk_linux/host.h"

namespace umk_test {

using namespace std::chrono_literals;

// A process as its /proc/PID/stat line says.
struct ProcStat {
    pid_t pid = 0;
    std::string comm;
    char state = 0;  // 'Z': a zombie
    pid_t ppid = 0;
    pid_t pgrp = 0;
};

// Every process in /proc.
inline std::vector<ProcStat> processes() {
    std::vector<ProcStat> out;
    DIR* d = opendir("/proc");
    if (!d) return out;
    while (dirent* e = readdir(d)) {
        ProcStat p;
        p.pid = std::atoi(e->d_name);
        if (p.pid <= 0) continue;
        std::ifstream f("/proc/" + std::to_string(p.pid) + "/stat");
        std::string line;
        if (!std::getline(f, line)) continue;
        auto open = line.find('('), close = line.rfind(')');
        if (open == std::string::npos || close == std::string::npos) continue;
        p.comm = line.substr(open + 1, close - open - 1);
        std::istringstream rest(line.substr(close + 2));
        rest >> p.state >> p.ppid >> p.pgrp;
        out.push_back(std::move(p));
    }
    closedir(d);
    return out;
}

// Children of `parent`, optionally only those with comm `comm`.
inline std::vector<pid_t> children_of(pid_t parent, const std::string& comm = {}) {
    std::vector<pid_t> out;
    for (const ProcStat& p : processes())
        if (p.ppid == parent && (comm.empty() || p.comm == comm)) out.push_back(p.pid);
    return out;
}

inline bool pid_alive(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(f, line)) return false;
    auto close = line.rfind(')');
    return close != std::string::npos && line[close + 2] != 'Z';
}

// The kernel log, as the Host's log sink sees it.
class LogCapture {
  public:
    void add(std::string_view line) {
        std::lock_guard lock(mu_);
        lines_.emplace_back(line);
        stamps_.push_back(stamp_ ? stamp_() : 0);
        cv_.notify_all();
    }
    // Optional, set before the log starts: a number taken with every line
    // as it arrives, in the thread that delivers it (e.g. a counter of the
    // path lines take). A test reading the counter itself after wait_for
    // returns races with the lines that came meanwhile; the stamp does not.
    void stamp_with(std::function<std::uint64_t()> stamp) {
        std::lock_guard lock(mu_);
        stamp_ = std::move(stamp);
    }
    // The stamp of the first line containing `needle`, if there is one.
    std::optional<std::uint64_t> stamp_of(const std::string& needle) {
        std::lock_guard lock(mu_);
        for (std::size_t i = 0; i < lines_.size(); ++i)
            if (lines_[i].find(needle) != std::string::npos) return stamps_[i];
        return std::nullopt;
    }
    // Wait until a line containing `needle` appears (searching from the start).
    bool wait_for(const std::string& needle, std::string* line = nullptr,
                  std::chrono::milliseconds timeout = 10s) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, timeout, [&] {
            for (const std::string& l : lines_) {
                if (l.find(needle) != std::string::npos) {
                    if (line) *line = l;
                    return true;
                }
            }
            return false;
        });
    }
    // The index of the first line from line `from` on that contains
    // `needle` (an order between lines: a smaller index came first), or npos.
    std::size_t find(const std::string& needle, std::size_t from = 0) {
        std::lock_guard lock(mu_);
        return find_locked(needle, from);
    }
    // find(), waiting (bounded) for the line to come.
    std::size_t wait_find(const std::string& needle, std::size_t from = 0,
                          std::chrono::milliseconds timeout = 10s) {
        std::unique_lock lock(mu_);
        std::size_t at = std::string::npos;
        cv_.wait_for(lock, timeout,
                     [&] { return (at = find_locked(needle, from)) != std::string::npos; });
        return at;
    }
    // Every line so far, for a failure message.
    std::string text() {
        std::lock_guard lock(mu_);
        std::string out;
        for (const std::string& l : lines_) out += l + "\n";
        return out;
    }
    int count(const std::string& needle) {
        std::lock_guard lock(mu_);
        int n = 0;
        for (const std::string& l : lines_) n += l.find(needle) != std::string::npos;
        return n;
    }
    // For "exactly N times" checks on lines that arrive a moment after the
    // event (e.g. through TTY): wait (bounded) until `needle` is there at
    // least `at_least` times, then count, so a duplicate still shows. Less
    // than `at_least` if they did not all come within `timeout`.
    int wait_and_count(const std::string& needle, int at_least = 1,
                       std::chrono::milliseconds timeout = 10s) {
        std::unique_lock lock(mu_);
        int n = 0;
        cv_.wait_for(lock, timeout, [&] {
            n = 0;
            for (const std::string& l : lines_) n += l.find(needle) != std::string::npos;
            return n >= at_least;
        });
        return n;
    }

  private:
    std::size_t find_locked(const std::string& needle, std::size_t from) const {
        for (std::size_t i = from; i < lines_.size(); ++i)
            if (lines_[i].find(needle) != std::string::npos) return i;
        return std::string::npos;
    }

    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::string> lines_;
    std::vector<std::uint64_t> stamps_;  // one per line
    std::function<std::uint64_t()> stamp_;
};

// A test that boots a Host from an inline config and, whatever happens,
// stops it, checks that no child process is left and, if it failed, prints
// the kernel log. (In-process, for tests that read the Host's own state;
// the `umk` executable is booted by BootedSystemTest, booted_system.h.)
class HostTest : public ::testing::Test {
  protected:
    void boot(const std::string& config_text) {
        umk::linux_host::BootConfig cfg;
        std::string error;
        ASSERT_TRUE(umk::linux_host::parse_boot_config(config_text, "test.conf", &cfg, &error))
            << error;
        umk::linux_host::HostOptions opt;
        opt.programs_dir = UMK_TEST_PROGRAMS;
        opt.exit_when_empty = false;
        opt.log_sink = [this](std::string_view l) { log.add(l); };
        host = std::make_unique<umk::linux_host::Host>(std::move(cfg), std::move(opt));
        ASSERT_TRUE(host->start());
    }
    // A host process "busy" spinning in its own code (test_crash spin), and
    // RS as a client to stop and resume it; busy's host pid, 0 on failure.
    pid_t boot_spinner() {
        boot(R"(
proc   1 busy  program=test_crash sys args=spin
client 9 rs    sys ipc=all calls=all
)");
        if (!host || !log.wait_for("crash: spin now")) return 0;
        std::vector<pid_t> pids = children_of(getpid(), "test_crash");
        return pids.size() == 1 ? pids[0] : 0;
    }
    void TearDown() override {
        if (host) host->stop();
        host.reset();
        EXPECT_EQ(children_of(getpid()).size(), 0u) << "a child process was left behind";
        if (HasFailure()) std::fprintf(stderr, "---- kernel log ----\n%s", log.text().c_str());
    }
    umk::endpoint_t ep(const std::string& name) { return host->endpoint_of(name); }

    LogCapture log;
    std::unique_ptr<umk::linux_host::Host> host;
};

}  // namespace umk_test
