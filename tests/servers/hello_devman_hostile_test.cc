// devman against hostile drivers and hoarders, in-process (fake service
// library with asynchronous delivery): a driver that never answers, one
// that answers late, one that dies mid-request, a caller that dies
// mid-request, and a process taking every pipe it may. In each case the
// attacker's own requests fail and everybody else goes on (/dev/hello).
#include <gtest/gtest.h>

#include <string>

#include "devman_world.h"
#include "umk/err.h"
#include "umklib/dev_proto.h"
#include "umklib/ds.h"
#include "umklib/pm_proto.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"

namespace {

using namespace umk;

constexpr endpoint_t RS = RS_PROC_NR;
constexpr endpoint_t HELLO = 40;
constexpr endpoint_t MUTE = 50;           // the hostile driver
constexpr endpoint_t MUTE2 = MUTE + 100;  // its restarted instance
constexpr endpoint_t VICTIM = 90;         // uses the hostile driver
constexpr endpoint_t OTHER = 91;          // uses /dev/hello meanwhile
constexpr int SUSPENDED = -ELOCKED;       // the fake's SENDREC when devman does not answer
constexpr clock_t_ DEADLINE = devman::DRIVER_DEADLINE_SECONDS * 60;

class HostileDevman : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(devman_world::start(RS, HELLO, VICTIM));
        // The hostile driver keeps every request and answers none.
        fake::route(MUTE, [this](message& m) {
            kept.push_back(m);
            return -EDONTREPLY;
        });
        as(RS);
        ASSERT_EQ(ds_publish_label("mute", MUTE, 0), OK);
        as(MUTE);
        ASSERT_EQ(ds_publish_u32("dev.mute", MUTE, DSF_OVERWRITE), OK);
        as(VICTIM);
    }
    static void as(endpoint_t ep) { fake::set_self(ep); }
    // What devman sent `to` as an answer (sendnb), in order.
    static std::vector<int> answers_to(endpoint_t to) {
        std::vector<int> out;
        for (auto& s : fake::sent())
            if (s.from == DEVMAN_PROC_NR && s.to == to && !s.async) out.push_back(s.m.m_type);
        return out;
    }
    // Time passes; the alarm devman set goes off.
    static void pass(clock_t_ ticks) {
        fake::uptime += ticks;
        if (fake::alarm != 0 && fake::alarm <= fake::uptime) {
            fake::alarm = 0;
            devman_world::notify_devman(CLOCK);
        }
    }
    // The hostile driver answers now (late, or never asked at all).
    static void answer(const message& req, int status, endpoint_t from = MUTE) {
        endpoint_t was = fake::self();
        as(from);
        message m = req;
        m.m_type = DEV_REPLY;
        m.REP_STATUS = status;
        asynsend(DEVMAN_PROC_NR, &m);
        fake::run_queue();
        as(was);
    }
    static int rs_restarts_asked(const char* label) {
        int n = 0;
        for (auto& s : fake::sent())
            if (s.from == DEVMAN_PROC_NR && s.to == RS && s.m.m_type == RS_RESTART &&
                std::string(s.m.RS_NAME) == label)
                n++;
        return n;
    }
    static void hello_still_works(endpoint_t who) {
        endpoint_t was = fake::self();
        as(who);
        int fd = dev_open("/dev/hello");
        ASSERT_GE(fd, 0);
        char buf[64];
        EXPECT_EQ(dev_read(fd, buf, sizeof buf), 14);
        EXPECT_EQ(std::string(buf, 5), "Hello");
        EXPECT_EQ(dev_close(fd), OK);
        as(was);
    }
    // The victim opens /dev/mute (answered) and reads it: suspended.
    int open_and_read() {
        EXPECT_EQ(dev_open("/dev/mute"), SUSPENDED);
        answer(kept.at(0), OK);
        int fd = answers_to(VICTIM).at(0);
        EXPECT_GE(fd, 0);
        EXPECT_EQ(dev_read(fd, buf, sizeof buf), SUSPENDED);
        return fd;
    }
    std::vector<message> kept;
    char buf[16];
};

TEST_F(HostileDevman, AHungDriverFailsOnlyItsOwnCallersWithinTheDeadline) {
    EXPECT_EQ(dev_open("/dev/mute"), SUSPENDED);
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(devman::driver_requests(), 1);
    // devman goes on serving: another process reads /dev/hello meanwhile.
    hello_still_works(OTHER);
    pass(DEADLINE - 1);
    EXPECT_TRUE(answers_to(VICTIM).empty());
    pass(1);
    EXPECT_EQ(answers_to(VICTIM), std::vector<int>{-EIO});
    EXPECT_EQ(devman::driver_requests(), 0);
    EXPECT_EQ(devman::open_files(), 0);  // the reserved file went back
    EXPECT_NE(fake::log().find("driver mute (endpoint 50) did not answer open request"),
              std::string::npos)
        << fake::log();
    // Reported to RS once, by label.
    EXPECT_EQ(rs_restarts_asked("mute"), 1);
    EXPECT_EQ(dev_open("/dev/mute"), SUSPENDED);
    pass(DEADLINE);
    EXPECT_EQ(answers_to(VICTIM), (std::vector<int>{-EIO, -EIO}));
    EXPECT_EQ(rs_restarts_asked("mute"), 1);  // the same instance: asked already
    // RS's answer to the report is not a request: devman does not answer it.
    as(RS);
    message ok{};
    ok.m_type = OK;
    EXPECT_EQ(ipc_sendrec(DEVMAN_PROC_NR, &ok), SUSPENDED);
    hello_still_works(OTHER);
}

TEST_F(HostileDevman, ALateAnswerIsDroppedAndNeverFinishesAnotherRequest) {
    EXPECT_EQ(dev_open("/dev/mute"), SUSPENDED);
    pass(DEADLINE);
    ASSERT_EQ(answers_to(VICTIM), std::vector<int>{-EIO});
    as(OTHER);
    EXPECT_EQ(dev_open("/dev/mute"), SUSPENDED);
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_NE(kept[0].DEV_REQ_ID, kept[1].DEV_REQ_ID);
    answer(kept[0], OK);  // the first, late: nobody waits for it
    EXPECT_TRUE(answers_to(OTHER).empty());
    EXPECT_EQ(answers_to(VICTIM), std::vector<int>{-EIO});
    EXPECT_NE(fake::log().find("dropping an answer from 50 to request"), std::string::npos);
    // A forged answer from somebody else with the right id is no answer either.
    answer(kept[1], OK, HELLO);
    EXPECT_TRUE(answers_to(OTHER).empty());
    answer(kept[1], OK);  // the right one
    EXPECT_EQ(answers_to(OTHER), std::vector<int>{0});
    EXPECT_EQ(devman::descriptors_of(OTHER), 1);
    EXPECT_EQ(devman::driver_requests(), 0);
}

TEST_F(HostileDevman, ADriverThatDiesMidRequestIsAskedAgainOnceAtItsNewEndpoint) {
    open_and_read();
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_EQ(fake::grants_in_use(), 1);  // the victim's buffer, for MUTE
    // It dies; RS restarts it at MUTE2, which announces itself.
    fake::route(MUTE, nullptr);
    fake::route(MUTE2, [this](message& m) {
        kept.push_back(m);
        return -EDONTREPLY;
    });
    as(RS);
    ASSERT_EQ(ds_publish_label("mute", MUTE2, DSF_OVERWRITE), OK);
    as(MUTE2);
    ASSERT_EQ(ds_publish_u32("dev.mute", MUTE2, DSF_OVERWRITE), OK);
    devman_world::deliver_ds_notifications();
    ASSERT_EQ(kept.size(), 3u);  // the read, again, to the new instance
    EXPECT_EQ(kept[2].m_type, DEV_READ_S);
    // It dies too before answering: the read was retried once, so EIO.
    fake::route(MUTE2, nullptr);
    as(RS);
    ASSERT_EQ(ds_publish_label("mute", MUTE, DSF_OVERWRITE), OK);
    fake::route(MUTE, [this](message& m) {
        kept.push_back(m);
        return -EDONTREPLY;
    });
    as(MUTE);
    ASSERT_EQ(ds_publish_u32("dev.mute", MUTE, DSF_OVERWRITE), OK);
    devman_world::deliver_ds_notifications();
    EXPECT_EQ(answers_to(VICTIM).back(), -EIO);
    EXPECT_EQ(fake::grants_in_use(), 0);
    EXPECT_EQ(devman::driver_requests(), 0);
    EXPECT_NE(fake::log().find("died with read request"), std::string::npos) << fake::log();
    hello_still_works(OTHER);
}

TEST_F(HostileDevman, ACallerThatDiesMidRequestLeavesNoGrantAndNoAnswer) {
    open_and_read();
    EXPECT_EQ(fake::grants_in_use(), 1);
    as(PM_PROC_NR);
    message m{};
    m.m_type = DEVMAN_PROC_EXIT;
    m.DEVMAN_EXIT_ENDPT = VICTIM;
    asynsend(DEVMAN_PROC_NR, &m);
    fake::run_queue();
    EXPECT_EQ(fake::grants_in_use(), 0);  // the driver can no longer reach its memory
    EXPECT_EQ(devman::descriptors_of(VICTIM), 0);
    answer(kept[1], 5);
    EXPECT_EQ(answers_to(VICTIM).size(), 1u);  // only the open's
    EXPECT_EQ(devman::driver_requests(), 1);   // the close, which the driver may ignore
    pass(DEADLINE);
    EXPECT_EQ(devman::driver_requests(), 0);
    EXPECT_EQ(devman::open_files(), 0);
}

TEST_F(HostileDevman, AHungDriverCannotTakeEveryRequestSlot) {
    for (int i = 0; i < devman::REQUESTS_PER_DRIVER; i++) {
        as(300 + i);
        EXPECT_EQ(dev_open("/dev/mute"), SUSPENDED);
    }
    as(300 + devman::REQUESTS_PER_DRIVER);
    EXPECT_EQ(dev_open("/dev/mute"), -EAGAIN);
    for (endpoint_t ep = OTHER; ep < OTHER + 3; ep++) hello_still_works(ep);
    pass(DEADLINE);
    EXPECT_EQ(devman::driver_requests(), 0);
    for (int i = 0; i < devman::REQUESTS_PER_DRIVER; i++)
        EXPECT_EQ(answers_to(300 + i), std::vector<int>{-EIO});
}

TEST_F(HostileDevman, ADriverAnsweringMoreThanAskedGetsItsCallerEio) {
    open_and_read();
    answer(kept[1], 1000);
    EXPECT_EQ(answers_to(VICTIM).back(), -EIO);
    EXPECT_EQ(fake::grants_in_use(), 0);
}

TEST_F(HostileDevman, APipeHoarderGetsEnfileAloneAndItsPipesComeBackWhenItDies) {
    constexpr endpoint_t HOG = 200;
    int fds[2] = {-1, -1};
    as(HOG);
    // One descriptor per pipe (the write ends closed): OPEN_MAX would allow more.
    for (int i = 0; i < devman::PIPES_PER_OWNER; i++) {
        ASSERT_EQ(dev_pipe(fds), OK);
        ASSERT_EQ(dev_close(fds[1]), OK);
    }
    EXPECT_EQ(dev_pipe(fds), -ENFILE);
    EXPECT_NE(fake::log().find("holds 8 pipes already"), std::string::npos);
    as(OTHER);
    ASSERT_EQ(dev_pipe(fds), OK);  // others still can
    ASSERT_EQ(dev_close(fds[0]), OK);
    ASSERT_EQ(dev_close(fds[1]), OK);
    // More hoarders fill the table; then they all die without PM hearing
    // of it (system processes: crash, kill, exit).
    for (endpoint_t hog = HOG + 1; devman::open_pipes() < devman::NR_PIPES; hog++) {
        as(hog);
        ASSERT_EQ(dev_pipe(fds), OK);
    }
    as(OTHER);
    EXPECT_EQ(dev_pipe(fds), -ENFILE);  // all alive: really full
    for (endpoint_t hog = HOG; hog < HOG + devman::NR_PIPES / devman::PIPES_PER_OWNER; hog++)
        fake::mark_gone(hog);
    ASSERT_EQ(dev_pipe(fds), OK);  // devman took back what the dead held
    EXPECT_EQ(devman::pipes_of(HOG), 0);
    EXPECT_NE(fake::log().find("process 200 is gone"), std::string::npos);
    hello_still_works(OTHER);
}

}  // namespace
