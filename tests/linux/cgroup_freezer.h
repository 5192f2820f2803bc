// A host process frozen from outside, as an administrator (or anyone with
// access to the cgroup tree) would. Unlike SIGSTOP, which the tracer
// swallows, the kernel cannot undo this. Two freezers, which differ in what
// gets through (measured on Linux 6.18):
//   V1  the cgroup v1 "freezer" controller (freezer.state = FROZEN): the
//       process enters no ptrace stop until thawed, and even SIGKILL ends it
//       only at the thaw. This is the one that blocked the kernel thread.
//   V2  cgroup v2 (cgroup.freeze = 1): a ptrace interrupt or SIGKILL still
//       gets through.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace umk_test {

enum class Freezer { V1, V2 };

inline const char* freezer_name(Freezer f) {
    return f == Freezer::V1 ? "cgroup v1 freezer" : "cgroup v2 freezer";
}

class CgroupFreezer {
  public:
    // The writable mount of that freezer, "" if there is none (the test must
    // then fail: freezing is what it is about).
    static std::string hierarchy(Freezer kind) {
        std::ifstream mounts("/proc/mounts");
        std::string dev, dir, type, opts, rest;
        while (mounts >> dev >> dir >> type >> opts && std::getline(mounts, rest)) {
            const bool match = kind == Freezer::V2
                                   ? type == "cgroup2"
                                   : type == "cgroup" && opts.find("freezer") != std::string::npos;
            if (match && access(dir.c_str(), W_OK) == 0) return dir;
        }
        return "";
    }

    // A fresh child cgroup named after the test process; why() says what
    // failed if ok() is false.
    explicit CgroupFreezer(Freezer kind = Freezer::V2) : kind_(kind) {
        const std::string root = hierarchy(kind);
        if (root.empty()) {
            why_ = std::string("no writable ") + freezer_name(kind) + " in /proc/mounts";
            return;
        }
        dir_ = root + "/umk-hostile-" + std::to_string(getpid());
        if (mkdir(dir_.c_str(), 0755) != 0 && errno != EEXIST) {
            why_ = "cannot create " + dir_;
            dir_.clear();
        }
    }
    ~CgroupFreezer() {
        if (dir_.empty()) return;
        thaw();
        // Processes still inside go back to the root before the removal.
        std::ifstream procs(dir_ + "/cgroup.procs");
        const std::string root = dir_.substr(0, dir_.rfind('/'));
        for (std::string pid; procs >> pid;) std::ofstream(root + "/cgroup.procs") << pid;
        for (int i = 0; i < 200 && rmdir(dir_.c_str()) != 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CgroupFreezer(const CgroupFreezer&) = delete;
    CgroupFreezer& operator=(const CgroupFreezer&) = delete;

    bool ok() const { return !dir_.empty(); }
    const std::string& why() const { return why_; }

    // Move `pid` in and freeze the group; true once the host says it is frozen.
    bool freeze(pid_t pid) {
        if (!write("cgroup.procs", std::to_string(pid))) return false;
        if (!(kind_ == Freezer::V2 ? write("cgroup.freeze", "1")
                                   : write("freezer.state", "FROZEN")))
            return false;
        for (int i = 0; i < 200; ++i) {
            if (frozen()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }
    void thaw() {
        if (kind_ == Freezer::V2)
            write("cgroup.freeze", "0");
        else
            write("freezer.state", "THAWED");
    }

  private:
    bool write(const std::string& file, const std::string& value) {
        std::ofstream f(dir_ + "/" + file);
        f << value;
        f.flush();
        return static_cast<bool>(f);
    }
    bool frozen() const {
        const char* file = kind_ == Freezer::V2 ? "/cgroup.events" : "/freezer.state";
        std::ifstream f(dir_ + file);
        std::stringstream ss;
        ss << f.rdbuf();
        const std::string s = ss.str();
        return kind_ == Freezer::V2 ? s.find("frozen 1") != std::string::npos
                                    : s.rfind("FROZEN", 0) == 0;
    }

    Freezer kind_;
    std::string dir_, why_;
};

}  // namespace umk_test
