#include "common/child.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

namespace umk::bench {

ChildProcess::ChildProcess(const std::function<int()>& body) {
    const pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) {
        error_ = std::string("fork: ") + std::strerror(errno);
        return;
    }
    if (pid_ == 0) {
        // Die with the benchmark; if it already died before prctl took
        // effect, getppid() no longer names it.
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(127);
        _exit(body());
    }
}

ChildProcess::~ChildProcess() {
    kill_and_reap();
}

bool ChildProcess::alive() {
    if (pid_ <= 0 || reaped_) return false;
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG | __WALL);
    if (r == pid_ && (WIFEXITED(status) || WIFSIGNALED(status))) {
        reaped_ = true;
        status_ = status;
        return false;
    }
    return true;
}

int ChildProcess::wait_exit(int timeout_ms) {
    const timespec step{0, 1000 * 1000};  // 1 ms
    for (int waited = 0; alive(); ++waited) {
        if (waited >= timeout_ms) return -1;
        nanosleep(&step, nullptr);
    }
    if (pid_ <= 0 || !WIFEXITED(status_)) return -1;
    return WEXITSTATUS(status_);
}

void ChildProcess::kill_and_reap() {
    if (pid_ <= 0 || reaped_) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    // A traced child reports stops before its death; keep waiting for the
    // death itself.
    while (true) {
        const pid_t r = waitpid(pid_, &status, __WALL);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) break;  // ECHILD: already reaped elsewhere
        if (WIFEXITED(status) || WIFSIGNALED(status)) break;
    }
    reaped_ = true;
    status_ = status;
}

}  // namespace umk::bench
