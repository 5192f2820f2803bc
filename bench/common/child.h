// A forked helper process for the two-process baselines. Whatever way a
// benchmark ends (normally, SkipWithError, an exception, the benchmark
// process being killed), the child does not outlive it: the destructor
// kills and reaps it, and the child asks Linux to SIGKILL it when its
// parent thread dies (PR_SET_PDEATHSIG).
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

namespace umk::bench {

class ChildProcess {
  public:
    // Forks and runs body() in the child, which then _exits with body's
    // return value. The child must stick to async-signal-safe calls (the
    // parent may have threads). Returns a child with pid() < 0 when fork
    // fails; error() says why.
    explicit ChildProcess(const std::function<int()>& body);
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess();

    pid_t pid() const { return pid_; }
    bool started() const { return pid_ > 0; }
    const std::string& error() const { return error_; }

    // True while the child has not exited (reaps it if it has).
    bool alive();
    // Waits up to timeout_ms for the child to exit by itself; returns its
    // exit status (0..255), or -1 if it was killed by a signal or is still
    // running (then it stays for the destructor to kill).
    int wait_exit(int timeout_ms);
    // SIGKILL and reap now (idempotent).
    void kill_and_reap();

  private:
    pid_t pid_ = -1;
    bool reaped_ = false;
    int status_ = 0;
    std::string error_;
};

}  // namespace umk::bench
