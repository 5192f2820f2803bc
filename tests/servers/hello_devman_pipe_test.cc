// devman's files the VFS way: pipes (a bounded buffer; readers of an empty
// pipe and writers to a full one are suspended; end of file once every
// writer is gone; EPIPE without readers), per-process descriptor tables with
// shared open files (dup2, PM's DEVMAN_FORK), close on exit, and the limits.
// In-process with the fake service library: a suspended request gets no
// answer from ipc_sendrec (-ELOCKED) and devman's later reply shows up in
// fake::sent().
// umk/sig.h first: the host <signal.h> (pulled in by gtest) defines NSIG as a macro.
#include "umk/sig.h"
// clang-format off
#include <gtest/gtest.h>
// clang-format on

#include <string>

#include "devman_world.h"
#include "umk/err.h"
#include "umklib/dev_proto.h"
#include "umklib/ds.h"
#include "umklib/pm_proto.h"
#include "umklib/sef.h"

namespace {

using namespace umk;

constexpr endpoint_t RS = 2;
constexpr endpoint_t HELLO = 40;
constexpr endpoint_t PARENT = 90;
constexpr endpoint_t CHILD = 91;
constexpr int SUSPENDED = -ELOCKED;  // what the fake's sendrec says when devman does not answer

class DevPipe : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_NO_FATAL_FAILURE(devman_world::start(RS, HELLO, PARENT)); }
    void TearDown() override {
        // Everything closes with its processes.
        for (endpoint_t ep : {PARENT, CHILD}) pm_says(DEVMAN_PROC_EXIT, ep);
        EXPECT_EQ(devman::open_files(), 0);
        EXPECT_EQ(devman::open_pipes(), 0);
        EXPECT_EQ(devman::suspended_requests(), 0);
        EXPECT_EQ(fake::grants_in_use(), 0);
    }
    static void as(endpoint_t ep) { fake::set_self(ep); }
    // A notice from PM (m1_i1/m1_i2 as DEVMAN_FORK or DEVMAN_PROC_EXIT use them).
    static int pm_says(int type, endpoint_t a, endpoint_t b = NONE, endpoint_t from = PM_PROC_NR) {
        endpoint_t was = fake::self();
        as(from);
        message m{};
        m.m_type = type;
        m.DEVMAN_FORK_PARENT = a;
        m.DEVMAN_FORK_CHILD = b;
        int r = ipc_sendrec(DEVMAN_PROC_NR, &m);
        as(was);
        return r == OK ? m.m_type : r;
    }
    static int fork_child() { return pm_says(DEVMAN_FORK, PARENT, CHILD); }
    // devman's later answers to `who` (replies of suspended requests).
    static std::vector<int> answers_to(endpoint_t who) {
        std::vector<int> out;
        for (const auto& s : fake::sent())
            if (s.from == DEVMAN_PROC_NR && s.to == who) out.push_back(s.m.m_type);
        return out;
    }
};

TEST_F(DevPipe, WhatIsWrittenIsRead) {
    int fd[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(fd), OK);
    EXPECT_NE(fd[0], fd[1]);
    EXPECT_EQ(dev_write(fd[1], "abc", 3), 3);
    EXPECT_EQ(dev_write(fd[1], "def", 3), 3);
    char buf[16] = {};
    EXPECT_EQ(dev_read(fd[0], buf, 4), 4);
    EXPECT_EQ(std::string(buf, 4), "abcd");
    EXPECT_EQ(dev_read(fd[0], buf, sizeof buf), 2);
    EXPECT_EQ(std::string(buf, 2), "ef");
    // Wrong direction.
    EXPECT_EQ(dev_read(fd[1], buf, 1), -EBADF);
    EXPECT_EQ(dev_write(fd[0], "x", 1), -EBADF);
}

TEST_F(DevPipe, LargeTransfersWrapAroundTheRing) {
    int fd[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(fd), OK);
    std::string a(3000, 'a'), b(DEVMAN_PIPE_BUF, '\0');
    for (std::size_t i = 0; i < b.size(); i++) b[i] = static_cast<char>('A' + i % 26);
    ASSERT_EQ(dev_write(fd[1], a.data(), a.size()), 3000);
    std::string got(DEVMAN_PIPE_BUF, '\0');
    ASSERT_EQ(dev_read(fd[0], got.data(), 2000), 2000);
    // 1000 bytes left at offset 2000: this one wraps.
    ASSERT_EQ(dev_write(fd[1], b.data(), 3096), 3096);
    ASSERT_EQ(dev_read(fd[0], got.data(), got.size()), DEVMAN_PIPE_BUF);
    EXPECT_EQ(got, std::string(1000, 'a') + b.substr(0, 3096));
}

TEST_F(DevPipe, AReaderWaitsForDataFromAnotherProcess) {
    int fd[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(fd), OK);
    ASSERT_EQ(fork_child(), OK);
    char buf[64] = {};
    EXPECT_EQ(dev_read(fd[0], buf, sizeof buf), SUSPENDED);
    EXPECT_EQ(devman::suspended_requests(), 1);
    EXPECT_TRUE(answers_to(PARENT).empty());
    as(CHILD);
    EXPECT_EQ(dev_write(fd[1], "wake up", 7), 7);
    EXPECT_EQ(answers_to(PARENT), std::vector<int>{7});
    EXPECT_EQ(std::string(buf, 7), "wake up");
    EXPECT_EQ(devman::suspended_requests(), 0);
}

TEST_F(DevPipe, EndOfFileWhenTheLastWriterCloses) {
    int fd[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(fd), OK);
    ASSERT_EQ(fork_child(), OK);
    ASSERT_EQ(dev_close(fd[1]), OK);  // the child still has a write end
    char buf[8];
    EXPECT_EQ(dev_read(fd[0], buf, sizeof buf), SUSPENDED);
    as(CHILD);
    EXPECT_EQ(dev_write(fd[1], "hi", 2), 2);
    EXPECT_EQ(answers_to(PARENT), std::vector<int>{2});
    as(PARENT);
    EXPECT_EQ(dev_read(fd[0], buf, sizeof buf), SUSPENDED);
    pm_says(DEVMAN_PROC_EXIT, CHILD);  // the child's exit closes the last writer
    EXPECT_EQ(answers_to(PARENT), (std::vector<int>{2, 0}));
    EXPECT_EQ(dev_read(fd[0], buf, sizeof buf), 0);  // and from now on at once
}

TEST_F(DevPipe, AWriterWaitsForRoom) {
    int fd[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(fd), OK);
    ASSERT_EQ(fork_child(), OK);
    std::string full(DEVMAN_PIPE_BUF, 'f');
    ASSERT_EQ(dev_write(fd[1], full.data(), full.size()), DEVMAN_PIPE_BUF);
    EXPECT_EQ(dev_write(fd[1], "more", 4), SUSPENDED);
    as(CHILD);
    std::string got(100, '\0');
    EXPECT_EQ(dev_read(fd[0], got.data(), 100), 100);
    EXPECT_EQ(answers_to(PARENT), std::vector<int>{4});  // the writer went on
    std::string rest(DEVMAN_PIPE_BUF, '\0');
    EXPECT_EQ(dev_read(fd[0], rest.data(), rest.size()), DEVMAN_PIPE_BUF - 100 + 4);
    EXPECT_EQ(rest.substr(DEVMAN_PIPE_BUF - 100, 4), "more");
}

TEST_F(DevPipe, WritesLargerThanThePipeGoOnInPieces) {
    int fd[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(fd), OK);
    ASSERT_EQ(fork_child(), OK);
    std::string big(3 * DEVMAN_PIPE_BUF, '\0');
    for (std::size_t i = 0; i < big.size(); i++) big[i] = static_cast<char>(i % 251);
    EXPECT_EQ(dev_write(fd[1], big.data(), big.size()), SUSPENDED);
    as(CHILD);
    std::string got;
    char buf[5000];
    while (got.size() < big.size()) {
        int n = dev_read(fd[0], buf, sizeof buf);
        ASSERT_GT(n, 0);
        got.append(buf, n);
    }
    EXPECT_EQ(got, big);
    EXPECT_EQ(answers_to(PARENT), std::vector<int>{3 * DEVMAN_PIPE_BUF});
}

TEST_F(DevPipe, NoReaderIsEpipe) {
    int fd[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(fd), OK);
    ASSERT_EQ(dev_close(fd[0]), OK);
    EXPECT_EQ(dev_write(fd[1], "x", 1), -EPIPE);
    // A writer waiting for room learns it when the last reader goes.
    ASSERT_EQ(dev_pipe(fd), OK);
    ASSERT_EQ(fork_child(), OK);
    ASSERT_EQ(dev_close(fd[0]), OK);
    std::string full(DEVMAN_PIPE_BUF, 'f');
    ASSERT_EQ(dev_write(fd[1], full.data(), full.size()), DEVMAN_PIPE_BUF);
    EXPECT_EQ(dev_write(fd[1], "y", 1), SUSPENDED);
    pm_says(DEVMAN_PROC_EXIT, CHILD);
    EXPECT_EQ(answers_to(PARENT), std::vector<int>{-EPIPE});
}

// MINIX VFS: EPIPE comes with SIGPIPE, through the kernel to the signal
// manager; only for user processes (children PM told devman of).
TEST_F(DevPipe, AUserWritingToNoReaderGetsSigpipe) {
    auto sigpipes = [](endpoint_t ep) {
        int n = 0;
        for (const auto& k : fake::kcalls())
            n += k == "sys_kill " + std::to_string(ep) + " " + std::to_string(SIGPIPE);
        return n;
    };
    int fd[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(fd, DEVMAN_O_CLOEXEC), OK);
    ASSERT_EQ(dev_dup2(fd[1], 5), 5);
    ASSERT_EQ(fork_child(), OK);  // the child has only descriptor 5
    ASSERT_EQ(dev_close(fd[0]), OK);
    EXPECT_EQ(dev_write(fd[1], "x", 1), -EPIPE);
    EXPECT_EQ(sigpipes(PARENT), 0);  // not a user process
    as(CHILD);
    EXPECT_EQ(dev_write(5, "x", 1), -EPIPE);
    EXPECT_EQ(sigpipes(CHILD), 1);
    // A user writer waiting for room learns it when the last reader goes.
    as(PARENT);
    pm_says(DEVMAN_PROC_EXIT, CHILD);
    ASSERT_EQ(dev_close(5), OK);
    ASSERT_EQ(dev_close(fd[1]), OK);
    ASSERT_EQ(dev_pipe(fd, DEVMAN_O_CLOEXEC), OK);
    ASSERT_EQ(dev_dup2(fd[1], 5), 5);
    ASSERT_EQ(fork_child(), OK);  // the child writes at 5 and reads nothing
    as(CHILD);
    std::string full(DEVMAN_PIPE_BUF, 'f');
    ASSERT_EQ(dev_write(5, full.data(), full.size()), DEVMAN_PIPE_BUF);
    EXPECT_EQ(dev_write(5, "y", 1), SUSPENDED);
    as(PARENT);
    ASSERT_EQ(dev_close(fd[0]), OK);
    EXPECT_EQ(answers_to(CHILD), std::vector<int>{-EPIPE});
    EXPECT_EQ(sigpipes(CHILD), 2);
}

TEST_F(DevPipe, Dup2SharesTheOpenFile) {
    int fd[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(fd), OK);
    EXPECT_EQ(dev_dup2(fd[1], 5), 5);
    EXPECT_EQ(dev_close(fd[1]), OK);
    EXPECT_EQ(dev_write(5, "via 5", 5), 5);
    char buf[8];
    EXPECT_EQ(dev_read(fd[0], buf, sizeof buf), 5);
    EXPECT_EQ(dev_dup2(5, 5), 5);
    EXPECT_EQ(dev_dup2(9, 1), -EBADF);
    EXPECT_EQ(dev_dup2(5, devman::OPEN_MAX), -EBADF);
    EXPECT_EQ(dev_dup2(5, -1), -EBADF);
    // Over an open descriptor: that one is closed first (the last writer goes).
    EXPECT_EQ(dev_dup2(fd[0], 5), 5);
    EXPECT_EQ(dev_read(5, buf, sizeof buf), 0);
    // A device's offset is shared between the copies.
    int h = dev_open("/dev/hello");
    ASSERT_GE(h, 0);
    EXPECT_EQ(dev_dup2(h, 7), 7);
    EXPECT_EQ(dev_read(h, buf, 5), 5);
    EXPECT_EQ(dev_read(7, buf, 3), 3);
    EXPECT_EQ(std::string(buf, 3), ", W");
    EXPECT_EQ(dev_close(h), OK);
    EXPECT_EQ(fake::log().find("hello_close()"), std::string::npos);  // 7 still open
    EXPECT_EQ(dev_close(7), OK);
    EXPECT_NE(fake::log().find("hello_close()"), std::string::npos);
}

TEST_F(DevPipe, ForkCopiesTheTableButNotCloseOnExec) {
    int fd[2] = {-1, -1}, hidden[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(fd), OK);
    ASSERT_EQ(dev_pipe(hidden, DEVMAN_O_CLOEXEC), OK);
    ASSERT_EQ(dev_dup2(hidden[1], 6), 6);                           // the copy is inherited
    EXPECT_EQ(pm_says(DEVMAN_FORK, PARENT, CHILD, CHILD), -EPERM);  // only PM
    ASSERT_EQ(fork_child(), OK);
    EXPECT_EQ(devman::descriptors_of(CHILD), 3);
    as(CHILD);
    EXPECT_EQ(dev_write(hidden[1], "x", 1), -EBADF);
    EXPECT_EQ(dev_write(6, "to parent", 9), 9);
    EXPECT_EQ(dev_write(fd[1], "also", 4), 4);
    as(PARENT);
    char buf[16];
    EXPECT_EQ(dev_read(hidden[0], buf, sizeof buf), 9);
    EXPECT_EQ(dev_read(fd[0], buf, sizeof buf), 4);
    // A process with no descriptors forks a child with none.
    EXPECT_EQ(pm_says(DEVMAN_FORK, 300, 301), OK);
    EXPECT_EQ(devman::descriptors_of(301), 0);
}

TEST_F(DevPipe, ExitClosesEverythingAndDropsSuspendedRequests) {
    int fd[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(fd), OK);
    ASSERT_GE(dev_open("/dev/hello"), 0);
    ASSERT_EQ(fork_child(), OK);
    as(CHILD);
    char buf[8];
    EXPECT_EQ(dev_read(fd[0], buf, sizeof buf), SUSPENDED);
    // Only PM may say a process is gone.
    pm_says(DEVMAN_PROC_EXIT, CHILD, NONE, PARENT);
    EXPECT_EQ(devman::suspended_requests(), 1);
    pm_says(DEVMAN_PROC_EXIT, CHILD);
    EXPECT_EQ(devman::suspended_requests(), 0);
    EXPECT_EQ(devman::descriptors_of(CHILD), 0);
    as(PARENT);
    EXPECT_EQ(dev_write(fd[1], "late", 4), 4);
    EXPECT_TRUE(answers_to(CHILD).empty());  // nobody answers a dead process
    pm_says(DEVMAN_PROC_EXIT, PARENT);
    EXPECT_EQ(devman::open_files(), 0);
    EXPECT_EQ(devman::open_pipes(), 0);
    EXPECT_NE(fake::log().find("hello_close()"), std::string::npos);
}

TEST_F(DevPipe, Limits) {
    int fds[2] = {-1, -1};
    EXPECT_EQ(dev_read(0, fds, 1), -EBADF);  // no table yet
    EXPECT_EQ(dev_close(-1), -EBADF);
    EXPECT_EQ(dev_close(devman::OPEN_MAX), -EBADF);
    // Per process: OPEN_MAX descriptors.
    for (int i = 0; i < devman::OPEN_MAX; i++) ASSERT_EQ(dev_open("/dev/hello"), i);
    EXPECT_EQ(dev_open("/dev/hello"), -EMFILE);
    EXPECT_EQ(dev_pipe(fds), -EMFILE);
    ASSERT_EQ(dev_close(3), OK);
    EXPECT_EQ(dev_pipe(fds), -EMFILE);  // one free descriptor is not enough
    pm_says(DEVMAN_PROC_EXIT, PARENT);
    // In the system: NR_PIPES pipes.
    for (int i = 0; i < devman::NR_PIPES; i++) {
        as(200 + i);
        ASSERT_EQ(dev_pipe(fds), OK);
    }
    as(PARENT);
    EXPECT_EQ(dev_pipe(fds), -ENFILE);
    for (int i = 0; i < devman::NR_PIPES; i++) pm_says(DEVMAN_PROC_EXIT, 200 + i);
    EXPECT_EQ(devman::open_pipes(), 0);
    // And NR_FILES open files.
    int opened = 0;
    for (endpoint_t ep = 100; opened < devman::NR_FILES; ep++) {
        as(ep);
        for (int i = 0; i < devman::OPEN_MAX && opened < devman::NR_FILES; i++, opened++)
            ASSERT_GE(dev_open("/dev/hello"), 0);
    }
    as(PARENT);
    EXPECT_EQ(dev_open("/dev/hello"), -ENFILE);
    for (endpoint_t ep = 100; ep < 100 + devman::NR_FILES / devman::OPEN_MAX; ep++)
        pm_says(DEVMAN_PROC_EXIT, ep);
    // A process that closed everything gives its table back (system
    // processes never exit through PM).
    for (endpoint_t ep = 300; ep < 300 + 2 * devman::NR_FPROCS; ep++) {
        as(ep);
        int fd = dev_open("/dev/hello");
        ASSERT_GE(fd, 0) << "process " << ep;
        ASSERT_EQ(dev_close(fd), OK);
    }
    as(PARENT);
}

}  // namespace
