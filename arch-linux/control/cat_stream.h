// CTL_CAT: a shell's `cat PATH | socket`. The proxy asks devman for a pipe,
// puts its write end at the proxy's descriptors 1 and 2 (DEVMAN_DUP2), has
// PM spawn the user program "cat PATH" (which inherits them), then reads the
// pipe until the end, streaming it to the client, and PM_WAITs for the
// child: its wait status is the last frame.
//
// Every step is one SENDREC (to devman or PM); done() takes the answer and
// sends the next. The proxy's own descriptors are tracked so that any
// failure closes them all (and reaps a child that was started) before the
// answer goes out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "umk/endpoint.h"
#include "umk/err.h"
#include "umk/types.h"

namespace umk::control {

class CtlSock;

class CatStream {
  public:
    explicit CatStream(CtlSock& slot) : slot_(slot) {}
    void start();                                 // the pipe first
    void done(int result, const message* reply);  // a step's answer: the next step

  private:
    enum class Op {
        PIPE,
        DUP_OUT,
        DUP_ERR,
        CLOSE_W,
        SPAWN,
        CLOSE_OUT,
        CLOSE_ERR,
        READ,
        CLEANUP,
        WAIT
    };

    void send(Op op, endpoint_t to, message& m);
    void fd_op(Op op, int type, int fd, int fd2 = -1);
    void forget_fd(int fd);
    int fd_a() const { return w_ == 2 ? 1 : 2; }
    int fd_b() const { return w_ == 2 ? 2 : 1; }
    void setup_next(Op done);
    void spawn();
    void read();
    void fail(int err, const char* text);
    void cleanup();

    CtlSock& slot_;
    Op op_ = Op::PIPE;
    std::vector<int> fds_;  // the proxy's open devman descriptors
    int r_ = -1, w_ = -1;   // the pipe's read and write ends
    endpoint_t child_ = NONE;
    int wait_retries_ = 0;  // PM_WAITs asked again after ERESTART
    bool waited_ = false;
    int error_ = OK;
    std::string text_;
    std::int32_t status_ = 0;  // the child's wait status
    // The last request to devman, asked again if devman died holding it
    // (ERESTART; dev_proto.h's dev_call does the same for programs).
    message last_{};
    int restarts_ = 0;
    bool again_ = false;  // the answer is to a request asked again
};

}  // namespace umk::control
