// A host process frozen from outside, as an administrator (or an attacker
// with access to the cgroup tree) would: a child cgroup of the cgroup v2
// hierarchy with cgroup.freeze = 1. Unlike SIGSTOP, which the tracer
// swallows, the kernel cannot undo this: a frozen process enters no ptrace
// stop until it is thawed, and only a fatal signal ends it.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace umk_test {

class CgroupFreezer {
  public:
    // "" if there is no writable cgroup v2 hierarchy (the test must then
    // fail: freezing is what it is about).
    static std::string hierarchy() {
        std::ifstream mounts("/proc/mounts");
        std::string dev, dir, type, rest;
        while (mounts >> dev >> dir >> type && std::getline(mounts, rest))
            if (type == "cgroup2" && access(dir.c_str(), W_OK) == 0) return dir;
        return "";
    }

    // A fresh child cgroup named after the test process; why() says what
    // failed if ok() is false.
    CgroupFreezer() {
        const std::string root = hierarchy();
        if (root.empty()) {
            why_ = "no writable cgroup v2 hierarchy in /proc/mounts";
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
        std::string root = dir_.substr(0, dir_.rfind('/'));
        for (std::string pid; procs >> pid;) std::ofstream(root + "/cgroup.procs") << pid;
        for (int i = 0; i < 100 && rmdir(dir_.c_str()) != 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CgroupFreezer(const CgroupFreezer&) = delete;
    CgroupFreezer& operator=(const CgroupFreezer&) = delete;

    bool ok() const { return !dir_.empty(); }
    const std::string& why() const { return why_; }

    // Move `pid` in and freeze the group; true once the host says "frozen 1".
    bool freeze(pid_t pid) {
        if (!write("cgroup.procs", std::to_string(pid)) || !write("cgroup.freeze", "1"))
            return false;
        for (int i = 0; i < 200; ++i) {
            if (events().find("frozen 1") != std::string::npos) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }
    void thaw() { write("cgroup.freeze", "0"); }

  private:
    bool write(const std::string& file, const std::string& value) {
        std::ofstream f(dir_ + "/" + file);
        f << value;
        f.flush();
        return static_cast<bool>(f);
    }
    std::string events() const {
        std::ifstream f(dir_ + "/cgroup.events");
        std::stringstream ss;
        ss << f.rdbuf();
        return ss.str();
    }

    std::string dir_, why_;
};

}  // namespace umk_test
