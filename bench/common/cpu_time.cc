#include "common/cpu_time.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace umk::bench {
namespace {

std::vector<pid_t> threads_of(pid_t pid) {
    std::vector<pid_t> out;
    const std::string dir = "/proc/" + std::to_string(pid) + "/task";
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) return out;
    while (dirent* e = readdir(d)) {
        const pid_t tid = std::atoi(e->d_name);
        if (tid > 0) out.push_back(tid);
    }
    closedir(d);
    return out;
}

}  // namespace

std::vector<pid_t> self_and(const std::vector<pid_t>& processes) {
    std::vector<pid_t> out{getpid()};
    out.insert(out.end(), processes.begin(), processes.end());
    return out;
}

std::uint64_t cpu_ns(const std::vector<pid_t>& tasks) {
    std::uint64_t total = 0;
    for (pid_t pid : tasks) {
        for (pid_t tid : threads_of(pid)) {
            std::ifstream f("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) +
                            "/schedstat");
            std::uint64_t on_cpu = 0;
            if (f >> on_cpu) total += on_cpu;
        }
    }
    return total;
}

std::vector<pid_t> children_named(const char* comm) {
    std::vector<pid_t> out;
    const pid_t self = getpid();
    DIR* d = opendir("/proc");
    if (d == nullptr) return out;
    while (dirent* e = readdir(d)) {
        const pid_t pid = std::atoi(e->d_name);
        if (pid <= 0) continue;
        std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
        std::string line;
        if (!std::getline(f, line)) continue;
        const auto open = line.find('('), close = line.rfind(')');
        if (open == std::string::npos || close == std::string::npos) continue;
        std::istringstream rest(line.substr(close + 2));
        char state = 0;
        pid_t ppid = 0;
        rest >> state >> ppid;
        if (ppid == self && state != 'Z' && line.substr(open + 1, close - open - 1) == comm)
            out.push_back(pid);
    }
    closedir(d);
    return out;
}

}  // namespace umk::bench
