// CTL_CAT (cat_stream.h): the user program "cat PATH", its output through a
// pipe from devman, streamed to the client as it arrives.
#include "cat_stream.h"

#include <algorithm>
#include <cstring>

#include "ctlsock.h"
#include "umk/err.h"
#include "umk/slots.h"
#include "umklib/dev_proto.h"
#include "umklib/pm_proto.h"

namespace umk::control {
namespace {

constexpr std::size_t CAT_CHUNK = DEVMAN_PIPE_BUF;  // one pipeful per read
static_assert(CAT_CHUNK <= CTL_MAX_DATA);
constexpr const char* CAT_PROGRAM = "cat";

}  // namespace

void CatStream::start() {
    fds_.clear();
    child_ = NONE;
    waited_ = false;
    restarts_ = 0;
    again_ = false;
    wait_retries_ = 0;
    error_ = OK;
    text_.clear();
    status_ = 0;
    message m{};
    m.m_type = DEVMAN_PIPE;
    m.DEVMAN_PIPE_FLAGS = DEVMAN_O_CLOEXEC;  // the child inherits only 1 and 2
    send(Op::PIPE, DEVMAN_PROC_NR, m);
}

void CatStream::send(Op op, endpoint_t to, message& m) {
    op_ = op;
    if (to == DEVMAN_PROC_NR) last_ = m;
    if (int r = slot_.sendrec(CtlSock::Step::CAT, to, &m); r != OK)
        fail(r, to == PM_PROC_NR ? "cannot send to PM" : "cannot send to devman");
}

void CatStream::fd_op(Op op, int type, int fd, int fd2) {
    message m{};
    m.m_type = type;
    m.DEVMAN_FD = fd;
    if (type == DEVMAN_DUP2) m.DEVMAN_FD2 = fd2;
    send(op, DEVMAN_PROC_NR, m);
}

void CatStream::forget_fd(int fd) {
    std::erase(fds_, fd);
}

// The write end goes to 1 and 2, without close-on-exec (the pipe was made
// with it, and dup2 onto itself would keep it): first to one of them (a),
// from there to the other (b); then the proxy's own copy goes.
void CatStream::setup_next(Op done) {
    switch (done) {
        case Op::PIPE:
            return fd_op(Op::DUP_OUT, DEVMAN_DUP2, w_, fd_a());
        case Op::DUP_OUT:
            return fd_op(Op::DUP_ERR, DEVMAN_DUP2, fd_a(), fd_b());
        case Op::DUP_ERR:
            if (w_ != 1 && w_ != 2) return fd_op(Op::CLOSE_W, DEVMAN_CLOSE, w_);
            return spawn();
        case Op::CLOSE_W:
            return spawn();
        default:
            return;
    }
}

void CatStream::spawn() {
    // "cat\0PATH\0", read by PM through a grant.
    const CtlRequest& rq = slot_.request();
    char* block = reinterpret_cast<char*>(slot_.area(OFF_START));
    std::size_t n = std::strlen(CAT_PROGRAM) + 1;
    std::memcpy(block, CAT_PROGRAM, n);
    std::size_t plen = strnlen(rq.path, sizeof rq.path - 1);
    std::memcpy(block + n, rq.path, plen);
    block[n + plen] = '\0';
    n += plen + 1;
    slot_.set_grant(GRANT_PM_ARGS, PM_PROC_NR, OFF_START, n, CPF_READ);
    message m{};
    m.m_type = PM_SPAWN;
    m.PM_ARGS_GRANT = GRANT_PM_ARGS;
    m.PM_ARGS_LEN = static_cast<std::int32_t>(n);
    send(Op::SPAWN, PM_PROC_NR, m);
}

void CatStream::read() {
    message m{};
    m.m_type = DEVMAN_READ;
    m.DEVMAN_FD = r_;
    m.DEVMAN_BUFFER = slot_.addr(OFF_DATA);
    m.DEVMAN_NBYTES = static_cast<std::int32_t>(CAT_CHUNK);
    send(Op::READ, DEVMAN_PROC_NR, m);
}

// Something failed: remember the first error, then clean up.
void CatStream::fail(int err, const char* text) {
    if (error_ == OK) {
        error_ = err < 0 ? err : -EIO;
        text_ = text;
    }
    cleanup();
}

// Close what is still open, reap the child, answer.
void CatStream::cleanup() {
    if (!fds_.empty()) {
        int fd = fds_.back();
        fds_.pop_back();
        return fd_op(Op::CLEANUP, DEVMAN_CLOSE, fd);
    }
    if (child_ != NONE && !waited_) {
        waited_ = true;
        message m{};
        m.m_type = PM_WAIT;
        m.PM_ENDPT = child_;
        return send(Op::WAIT, PM_PROC_NR, m);
    }
    if (error_ != OK) return slot_.answer(error_, text_.c_str());
    slot_.answer(OK, "", nullptr, 0, 0, status_);
}

void CatStream::done(int result, const message* reply) {
    const bool devman_op = op_ != Op::SPAWN && op_ != Op::WAIT;
    if (result == -ERESTART && devman_op && restarts_ < DEV_RESTART_TRIES) {
        // devman crashed with our request; its replica (same endpoint, the
        // last checkpoint: our descriptors still open) gets it again.
        restarts_++;
        again_ = true;
        message m = last_;
        return send(op_, DEVMAN_PROC_NR, m);
    }
    int status = result != OK ? result : (reply ? reply->m_type : -EIO);
    // A close asked again may find it done by the first try.
    if (again_ && status == -EBADF && last_.m_type == DEVMAN_CLOSE) status = OK;
    again_ = false;
    switch (op_) {
        case Op::PIPE:
            // devman's slot is free or holds another process.
            if (status == -EDEADSRCDST)
                return fail(-ESRCH, "the device layer (devman) is not running");
            if (status != OK) return fail(status, "cannot make a pipe");
            r_ = reply->DEVMAN_FD0;
            w_ = reply->DEVMAN_FD1;
            fds_ = {r_, w_};
            if (r_ == 1 || r_ == 2)  // devman gives the lowest free ones
                return fail(-EBADF, "the proxy's descriptors 1 and 2 are in use");
            return setup_next(Op::PIPE);
        case Op::DUP_OUT:
        case Op::DUP_ERR:
            if (status < 0) return fail(status, "cannot set up the output");
            if (std::find(fds_.begin(), fds_.end(), status) == fds_.end()) fds_.push_back(status);
            return setup_next(op_);
        case Op::CLOSE_W:
            forget_fd(w_);
            if (status != OK) return fail(status, "cannot set up the output");
            return setup_next(Op::CLOSE_W);
        case Op::SPAWN:
            // PM's slot is free or holds another process.
            if (status == -EDEADSRCDST)
                return fail(-ESRCH, "the process manager (PM) is not running");
            // Not asked again: the crashed PM may have started cat already.
            if (status == -ERESTART)
                return fail(status, "PM crashed while starting cat (ERESTART); try again");
            if (status != OK) return fail(status, "cannot start cat");
            child_ = reply->PM_ENDPT;
            slot_.set_reply_endpoint(child_);
            // The proxy keeps only the read end: the pipe ends with the child.
            return fd_op(Op::CLOSE_OUT, DEVMAN_CLOSE, 1);
        case Op::CLOSE_OUT:
            forget_fd(1);
            if (status != OK) return fail(status, "cannot close the write end");
            return fd_op(Op::CLOSE_ERR, DEVMAN_CLOSE, 2);
        case Op::CLOSE_ERR:
            forget_fd(2);
            if (status != OK) return fail(status, "cannot close the write end");
            return read();
        case Op::READ:
            if (status < 0) return fail(status, "cannot read cat's output");
            if (status == 0) return cleanup();  // every writer is gone
            if (status > static_cast<int>(CAT_CHUNK)) return fail(-EIO, "bad read");
            {
                CtlReply r{};
                r.magic = CTL_MAGIC;
                r.status = OK;
                r.more = 1;
                r.data_len = static_cast<std::uint32_t>(status);
                slot_.send_frame(r, slot_.area(OFF_DATA), static_cast<std::size_t>(status));
            }
            return read();  // on even if the client left: cat must not block
        case Op::CLEANUP:
            return cleanup();
        case Op::WAIT:
            // PM crashed while cat's wait was suspended: its replica knows
            // cat (checkpoint), so the wait is asked again (pm_sendrec).
            if (status == -ERESTART && wait_retries_ < PM_RESTART_RETRIES) {
                ++wait_retries_;
                message m{};
                m.m_type = PM_WAIT;
                m.PM_ENDPT = child_;
                return send(Op::WAIT, PM_PROC_NR, m);
            }
            if (status != OK) {
                if (error_ == OK) {
                    error_ = status;
                    text_ = "cannot wait for cat";
                }
            } else {
                status_ = reply->PM_STATUS;
            }
            return cleanup();
    }
}

}  // namespace umk::control
