// devman's state across a live update and a crash (servers/devman/state.cc):
// the image of its tables is taken (state_save), devman starts empty
// (devman_init, as a new instance does) and takes the image in (state_load)
// as the new version of a live update or as the replica of a crash; open
// descriptors, offsets, pipes with their data and waiting readers go on.
// Damaged images are refused and leave devman empty. And the user side
// (dev_proto.h) asks again when devman died holding a request (ERESTART).
// umk/sig.h first: the host <signal.h> (pulled in by gtest) defines NSIG as a macro.
#include "umk/sig.h"
// clang-format off
#include <gtest/gtest.h>
// clang-format on

#include <string>
#include <vector>

#include "devman_world.h"
#include "hello.h"
#include "sef_state_fake.h"
#include "umk/err.h"
#include "umklib/dev_proto.h"
#include "umklib/pm_proto.h"
#include "umklib/sef.h"

namespace {

using namespace umk;

constexpr endpoint_t RS = 2;
constexpr endpoint_t HELLO = 40;
constexpr endpoint_t PARENT = 90;
constexpr endpoint_t CHILD = 91;
constexpr int SUSPENDED = -ELOCKED;  // the fake's sendrec when devman does not answer

class DevState : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_NO_FATAL_FAILURE(devman_world::start(RS, HELLO, PARENT)); }
    void TearDown() override {
        for (endpoint_t ep : {PARENT, CHILD}) pm_says(DEVMAN_PROC_EXIT, ep);
        EXPECT_EQ(devman::open_files(), 0);
        EXPECT_EQ(devman::open_pipes(), 0);
        EXPECT_EQ(devman::suspended_requests(), 0);
    }
    static void as(endpoint_t ep) { fake::set_self(ep); }
    static int pm_says(int type, endpoint_t a, endpoint_t b = NONE) {
        endpoint_t was = fake::self();
        as(PM_PROC_NR);
        message m{};
        m.m_type = type;
        m.DEVMAN_FORK_PARENT = a;
        m.DEVMAN_FORK_CHILD = b;
        int r = ipc_sendrec(DEVMAN_PROC_NR, &m);
        as(was);
        return r == OK ? m.m_type : r;
    }
    static std::vector<int> answers_to(endpoint_t who) {
        std::vector<int> out;
        for (const auto& s : fake::sent())
            if (s.from == DEVMAN_PROC_NR && s.to == who) out.push_back(s.m.m_type);
        return out;
    }
    // The image of devman's tables now.
    static std::vector<unsigned char> save() {
        std::vector<unsigned char> img(devman::state_max());
        const std::size_t n = devman::state_save(img.data(), img.size());
        EXPECT_GT(n, 0u);
        img.resize(n);
        return img;
    }
    // A new instance: empty tables, then the image.
    static int successor(const std::vector<unsigned char>& img, int type) {
        endpoint_t was = fake::self();
        as(DEVMAN_PROC_NR);
        devman::devman_init(DEVMAN_PROC_NR);
        EXPECT_EQ(devman::open_files(), 0);
        int r = devman::state_load(img.data(), img.size(), type);
        as(was);
        return r;
    }
};

TEST_F(DevState, LiveUpdateKeepsDescriptorsOffsetsPipesAndWaitingReaders) {
    const int dev = dev_open("/dev/hello");
    ASSERT_GE(dev, 0);
    char buf[64] = {};
    ASSERT_EQ(dev_read(dev, buf, 5), 5);  // offset 5
    int p[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(p), OK);
    ASSERT_EQ(dev_write(p[1], "buffered", 8), 8);
    int q[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(q), OK);
    ASSERT_EQ(pm_says(DEVMAN_FORK, PARENT, CHILD), OK);
    as(CHILD);
    char waiting[16] = {};
    ASSERT_EQ(dev_read(q[0], waiting, sizeof waiting), SUSPENDED);  // a blocked `cat`
    as(PARENT);
    const int files = devman::open_files();
    const int fds = devman::descriptors_of(PARENT);

    ASSERT_EQ(successor(save(), SEF_INIT_LU), OK);

    EXPECT_EQ(devman::open_files(), files);
    EXPECT_EQ(devman::open_pipes(), 2);
    EXPECT_EQ(devman::descriptors_of(PARENT), fds);
    EXPECT_EQ(devman::descriptors_of(CHILD), fds);
    EXPECT_EQ(devman::suspended_requests(), 1);
    ASSERT_NE(devman::driver("hello"), nullptr);
    // The device read goes on at offset 5, the pipe still holds its bytes.
    ASSERT_EQ(dev_read(dev, buf, sizeof buf), 9);
    EXPECT_EQ(std::string(buf, 9), ", World!\n");
    ASSERT_EQ(dev_read(p[0], buf, sizeof buf), 8);
    EXPECT_EQ(std::string(buf, 8), "buffered");
    // The reader that waited across the update is answered by the new version.
    ASSERT_EQ(dev_write(q[1], "wake", 4), 4);
    EXPECT_EQ(answers_to(CHILD), std::vector<int>{4});
    EXPECT_EQ(std::string(waiting, 4), "wake");
    EXPECT_EQ(dev_close(dev), OK);
}

// The ring's bytes cross in order even when they wrap around its end.
TEST_F(DevState, PipeDataAcrossTheRingsEndCrossesInOrder) {
    int p[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(p), OK);
    std::string a(3000, 'a'), b(2000, '\0');
    for (std::size_t i = 0; i < b.size(); i++) b[i] = static_cast<char>('A' + i % 26);
    ASSERT_EQ(dev_write(p[1], a.data(), a.size()), 3000);
    std::string got(DEVMAN_PIPE_BUF, '\0');
    ASSERT_EQ(dev_read(p[0], got.data(), 2500), 2500);
    ASSERT_EQ(dev_write(p[1], b.data(), b.size()), 2000);  // wraps
    ASSERT_EQ(successor(save(), SEF_INIT_LU), OK);
    ASSERT_EQ(dev_read(p[0], got.data(), got.size()), 2500);
    EXPECT_EQ(got.substr(0, 2500), std::string(500, 'a') + b);
}

// A crash: the kernel answered the waiting callers ERESTART, so the replica
// answers none of them (no double answer); they ask again and are served.
TEST_F(DevState, RestartDropsWaitingRequestsTheirCallersAskAgain) {
    int q[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(q), OK);
    ASSERT_EQ(pm_says(DEVMAN_FORK, PARENT, CHILD), OK);
    as(CHILD);
    char waiting[16] = {};
    ASSERT_EQ(dev_read(q[0], waiting, sizeof waiting), SUSPENDED);
    as(PARENT);
    ASSERT_EQ(successor(save(), SEF_INIT_RESTART), OK);
    EXPECT_EQ(devman::suspended_requests(), 0);
    EXPECT_EQ(devman::descriptors_of(CHILD), 2);
    as(CHILD);
    ASSERT_EQ(dev_read(q[0], waiting, sizeof waiting), SUSPENDED);  // asked again
    as(PARENT);
    ASSERT_EQ(dev_write(q[1], "again", 5), 5);
    EXPECT_EQ(answers_to(CHILD), std::vector<int>{5});  // once
    EXPECT_EQ(std::string(waiting, 5), "again");
}

// A write larger than the pipe had moved 4096 bytes when devman crashed;
// asked again, it goes on from there: every byte arrives exactly once.
TEST_F(DevState, RestartGoesOnWithAWriteThatHadMovedBytes) {
    int p[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(p), OK);
    ASSERT_EQ(pm_says(DEVMAN_FORK, PARENT, CHILD), OK);
    std::string big(6000, '\0');
    for (std::size_t i = 0; i < big.size(); i++) big[i] = static_cast<char>(i % 251);
    as(CHILD);
    ASSERT_EQ(dev_write(p[1], big.data(), big.size()), SUSPENDED);
    as(PARENT);
    ASSERT_EQ(successor(save(), SEF_INIT_RESTART), OK);
    EXPECT_EQ(devman::suspended_requests(), 0);  // the orphan waits for its caller
    as(CHILD);
    ASSERT_EQ(dev_write(p[1], big.data(), big.size()), SUSPENDED);  // the same write again
    as(PARENT);
    std::string got;
    char buf[5000];
    while (got.size() < big.size()) {
        const int n = dev_read(p[0], buf, sizeof buf);
        ASSERT_GT(n, 0);
        got.append(buf, static_cast<std::size_t>(n));
    }
    EXPECT_EQ(got, big);
    EXPECT_EQ(answers_to(CHILD), std::vector<int>{6000});
}

// The state of a crashed predecessor is untrusted memory: every damage is
// refused (and devman starts empty), never followed.
TEST_F(DevState, DamagedImagesAreRefusedAndLeaveDevmanEmpty) {
    const int dev = dev_open("/dev/hello");
    ASSERT_GE(dev, 0);
    int p[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(p), OK);
    ASSERT_EQ(dev_write(p[1], "xyz", 3), 3);
    const std::vector<unsigned char> good = save();

    auto refused = [&](std::vector<unsigned char> img, const char* why) {
        fake::log().clear();
        EXPECT_EQ(successor(img, SEF_INIT_LU), -EINVAL) << why;
        EXPECT_EQ(devman::open_files(), 0) << why;
        EXPECT_EQ(devman::open_pipes(), 0) << why;
        EXPECT_NE(fake::log().find("state is damaged"), std::string::npos) << why;
    };
    auto bad_magic = good;
    bad_magic[0] ^= 0xff;
    refused(bad_magic, "magic");
    refused(std::vector<unsigned char>(good.begin(), good.end() - 1), "one byte short");
    auto longer = good;
    longer.push_back(0);
    refused(longer, "one byte too many");
    refused(std::vector<unsigned char>(good.begin(), good.begin() + 16), "header only");

    // Every byte of the tables set to garbage, one at a time: refused, or
    // taken in consistently (then everything still closes).
    int refusals = 0;
    for (std::size_t at = 0; at < good.size(); at += 3) {
        auto img = good;
        img[at] = 0xa5;
        const int r = successor(img, SEF_INIT_LU);
        ASSERT_TRUE(r == OK || r == -EINVAL) << at;
        refusals += r != OK;
        as(DEVMAN_PROC_NR);
        for (endpoint_t ep : {PARENT, CHILD}) devman::proc_exit(ep);
        as(PARENT);
    }
    EXPECT_GT(refusals, 0);

    // The good image still works after all that.
    ASSERT_EQ(successor(good, SEF_INIT_LU), OK);
    char buf[8];
    EXPECT_EQ(dev_read(p[0], buf, sizeof buf), 3);
    EXPECT_EQ(dev_close(dev), OK);
}

// A descriptor of a file the image does not have is damage, not a file.
TEST_F(DevState, ReferenceCountsAreRecountedNotTrusted) {
    int p[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(p), OK);
    ASSERT_EQ(pm_says(DEVMAN_FORK, PARENT, CHILD), OK);
    ASSERT_EQ(successor(save(), SEF_INIT_LU), OK);
    // Both processes hold both ends: the pipe lives until the last goes.
    pm_says(DEVMAN_PROC_EXIT, CHILD);
    EXPECT_EQ(devman::open_pipes(), 1);
    ASSERT_EQ(dev_write(p[1], "ok", 2), 2);
    char buf[4];
    EXPECT_EQ(dev_read(p[0], buf, sizeof buf), 2);
}

// A driver that keeps devman's requests until the test answers them.
class HeldDriver {
  public:
    HeldDriver() {
        fake::route(HELLO, [this](message& m) {
            held.push_back(m);
            return -EDONTREPLY;
        });
    }
    ~HeldDriver() { devman_world::route_hello(HELLO); }
    // Answer the oldest held request as hello would (or with `status`).
    void answer(bool fail = false) {
        message m = held.front();
        held.erase(held.begin());
        const endpoint_t was = fake::self();
        fake::set_self(HELLO);
        const auto id = m.DEV_REQ_ID;
        hello::handle_request(m);
        if (fail) m.REP_STATUS = -EPERM;  // as a copy with a grant of a gone image fails
        m.DEV_REQ_ID = id;
        asynsend(DEVMAN_PROC_NR, &m);
        fake::run_queue();
        fake::set_self(was);
    }
    std::vector<message> held;
};

// WORK_FREE: a read at the driver crosses the update. The driver could not
// copy with the old image's grant: devman asks once more with its own, and
// the caller gets one answer.
TEST_F(DevState, LiveUpdateWithARequestAtTheDriverAsksAgainWithANewGrant) {
    const int dev = dev_open("/dev/hello");
    ASSERT_GE(dev, 0);
    char buf[32] = {};
    fake::sent().clear();  // the open's answer
    {
        HeldDriver drv;
        ASSERT_EQ(dev_read(dev, buf, sizeof buf), SUSPENDED);
        ASSERT_EQ(drv.held.size(), 1u);
        EXPECT_EQ(devman::lu_prepare(SEF_LU_STATE_REQUEST_FREE), -ENOTREADY);
        EXPECT_EQ(devman::lu_prepare(SEF_LU_STATE_WORK_FREE), OK);
        ASSERT_EQ(successor(save(), SEF_INIT_LU), OK);
        EXPECT_EQ(devman::driver_requests(), 1);
        drv.answer(true);  // the copy failed
        EXPECT_TRUE(answers_to(PARENT).empty());
        ASSERT_EQ(drv.held.size(), 1u);  // asked again
        drv.answer();
        EXPECT_EQ(answers_to(PARENT), std::vector<int>{14});
        EXPECT_EQ(std::string(buf, 14), "Hello, World!\n");
    }
    EXPECT_EQ(devman::driver_requests(), 0);
    EXPECT_EQ(dev_close(dev), OK);
}

// A crash with a read at the driver: the caller got ERESTART and asks
// again; the first answer finds nobody waiting and is dropped. The offset
// moved once.
TEST_F(DevState, RestartDropsTheAnswerToARequestItsCallerAsksAgain) {
    const int dev = dev_open("/dev/hello");
    ASSERT_GE(dev, 0);
    char buf[32] = {};
    fake::sent().clear();  // the open's answer
    {
        HeldDriver drv;
        ASSERT_EQ(dev_read(dev, buf, 5), SUSPENDED);
        ASSERT_EQ(successor(save(), SEF_INIT_RESTART), OK);
        ASSERT_EQ(dev_read(dev, buf, 5), SUSPENDED);  // asked again
        drv.answer();                                 // the dead instance's request
        EXPECT_TRUE(answers_to(PARENT).empty());
        drv.answer();
        EXPECT_EQ(answers_to(PARENT), std::vector<int>{5});
    }
    ASSERT_EQ(dev_read(dev, buf, sizeof buf), 9);
    EXPECT_EQ(std::string(buf, 9), ", World!\n");
    EXPECT_EQ(dev_close(dev), OK);
}

// An open the driver had when devman crashed: accepted, nobody waits for
// it, so devman closes it again (the driver's counts stay balanced).
TEST_F(DevState, RestartClosesAnOpenNobodyWaitsForAnyMore) {
    {
        HeldDriver drv;
        ASSERT_EQ(dev_open("/dev/hello"), SUSPENDED);
        ASSERT_EQ(successor(save(), SEF_INIT_RESTART), OK);
        drv.answer();
        EXPECT_TRUE(answers_to(PARENT).empty());
        ASSERT_EQ(drv.held.size(), 1u);
        EXPECT_EQ(drv.held.front().m_type, DEV_CLOSE);
        drv.answer();
    }
    EXPECT_EQ(devman::open_files(), 0);
    EXPECT_EQ(devman::driver_requests(), 0);
}

// Through SEF: the checkpoint devman wrote after its last request is what
// the successor restores; a lost one fails an update but not a restart.
TEST_F(DevState, TheCheckpointAfterEachRequestIsWhatTheSuccessorGets) {
    fake_state::reset();
    ASSERT_EQ(devman::state_setup(), OK);
    int p[2] = {-1, -1};
    ASSERT_EQ(dev_pipe(p), OK);
    ASSERT_EQ(dev_write(p[1], "kept", 4), 4);  // checkpointed before its answer
    ASSERT_TRUE(fake_state::have);
    as(DEVMAN_PROC_NR);
    devman::devman_init(DEVMAN_PROC_NR);
    ASSERT_EQ(devman::state_restore(SEF_INIT_LU), OK);
    as(PARENT);
    EXPECT_NE(fake::log().find("devman: state of the previous instance restored: 1 descriptor "
                               "tables, 2 descriptors, 2 open files, 1 pipes"),
              std::string::npos)
        << fake::log();
    char buf[8];
    ASSERT_EQ(dev_read(p[0], buf, sizeof buf), 4);
    EXPECT_EQ(std::string(buf, 4), "kept");

    fake_state::restore_error = -EFAULT;  // the predecessor's memory is gone
    as(DEVMAN_PROC_NR);
    devman::devman_init(DEVMAN_PROC_NR);
    EXPECT_EQ(devman::state_restore(SEF_INIT_LU), -EFAULT);
    EXPECT_NE(fake::log().find("devman: cannot take over the old version's state (EFAULT"),
              std::string::npos);
    fake::log().clear();
    EXPECT_EQ(devman::state_restore(SEF_INIT_RESTART), OK);
    EXPECT_NE(fake::log().find("devman: state of the previous instance lost (EFAULT: its memory "
                               "is gone); starting empty"),
              std::string::npos)
        << fake::log();
    as(PARENT);
    // The stale descriptors fail cleanly, never hang.
    EXPECT_EQ(dev_read(p[0], buf, sizeof buf), -EBADF);
    EXPECT_EQ(dev_write(p[1], "x", 1), -EBADF);
    fake_state::restore_error = OK;
}

// ---- the user side: devman died holding the request ----

// The kernel's ERESTART before devman's replica saw the request: asked again.
TEST_F(DevState, TheLibraryAsksAgainAfterErestart) {
    const int dev = dev_open("/dev/hello");
    ASSERT_GE(dev, 0);
    int restarts = 2;
    fake::on_sendrec = [&](endpoint_t, endpoint_t to, message&) {
        if (to == DEVMAN_PROC_NR && restarts > 0) {
            restarts--;
            return -ERESTART;
        }
        return OK;
    };
    char buf[32] = {};
    ASSERT_EQ(dev_read(dev, buf, sizeof buf), 14);
    EXPECT_EQ(std::string(buf, 14), "Hello, World!\n");
    EXPECT_EQ(restarts, 0);
    // Past DEV_RESTART_TRIES the error is the caller's.
    restarts = DEV_RESTART_TRIES;
    EXPECT_EQ(dev_read(dev, buf, sizeof buf), -ERESTART);
    fake::on_sendrec = nullptr;
    EXPECT_EQ(dev_close(dev), OK);
}

// A close whose effect was checkpointed but whose answer was lost: the
// second try finds the descriptor closed, which is success.
TEST_F(DevState, ACloseAskedAgainAfterItsEffectIsDone) {
    const int dev = dev_open("/dev/hello");
    ASSERT_GE(dev, 0);
    bool lost = false;
    fake::on_sendrec = [&](endpoint_t from, endpoint_t to, message& m) {
        if (to != DEVMAN_PROC_NR || lost) return OK;
        lost = true;
        message copy = m;
        copy.m_source = from;
        as(DEVMAN_PROC_NR);
        devman::handle_request(copy);  // done, then devman "dies" unanswered
        as(from);
        return -ERESTART;
    };
    EXPECT_EQ(dev_close(dev), OK);
    EXPECT_TRUE(lost);
    fake::on_sendrec = nullptr;
    EXPECT_EQ(devman::descriptors_of(PARENT), 0);
}

}  // namespace
