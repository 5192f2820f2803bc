// SEF state transfer (umklib/sef_state.h): the checkpoint area, its grant in
// the RS_INIT answer, and the copy of a predecessor's newest valid
// checkpoint. The predecessor is a byte image of another instance's area,
// served by the fake kernel's SYS_SAFECOPYFROM.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "sef_test_util.h"
#include "umklib/sef_state.h"

using namespace umk;
using namespace sef_test;

namespace {

constexpr std::size_t kMax = 100;
constexpr endpoint_t kPredEp = 77;
constexpr int kPredGrant = 5;

alignas(8) unsigned char area[sef_state_area_size(kMax)];
std::vector<unsigned char> pred;  // the predecessor's area, as its memory holds it
int copy_error = OK;              // what SAFECOPYFROM answers instead of copying
int restore_result = 1;
std::string restored;
std::uint32_t restored_version = 0;

int restore_in_init(int, sef_init_info_t*) {
    char buf[kMax];
    std::size_t len = sizeof buf;
    restore_result = sef_state_restore(buf, &len, &restored_version);
    if (restore_result == OK) restored.assign(buf, len);
    return OK;
}

class LibSefState : public ::testing::Test {
  protected:
    // What a freshly started instance has: the fake kernel (which serves
    // the predecessor image) and init callbacks that restore.
    static void new_instance() {
        fake::on_kernel_call(SYS_SAFECOPYFROM, [](message& m) {
            if (copy_error != OK) return copy_error;
            if (m.SCP_FROM_TO != kPredEp || m.SCP_GID != kPredGrant) return -EPERM;
            const auto off = static_cast<std::size_t>(m.SCP_OFFSET);
            const auto n = static_cast<std::size_t>(m.SCP_BYTES);
            if (off > pred.size() || n > pred.size() - off) return -EPERM;
            std::memcpy(reinterpret_cast<void*>(m.SCP_ADDRESS), pred.data() + off, n);
            return OK;
        });
        sef_setcb_init_lu(restore_in_init);
        sef_setcb_init_restart(restore_in_init);
    }

    void SetUp() override {
        fake::reset();
        std::memset(area, 0xAA, sizeof area);
        copy_error = OK;
        restore_result = 1;
        restored.clear();
        restored_version = 0;
        new_instance();
    }

    // An earlier instance with its own area wrote these checkpoints (with
    // layout `version`); its memory becomes the predecessor image.
    static void predecessor_wrote(const std::vector<std::string>& checkpoints,
                                  std::size_t max_len = kMax, std::uint32_t version = 3) {
        std::vector<unsigned char> mem(sef_state_area_size(max_len) + 8);
        auto* base = mem.data() + (8 - reinterpret_cast<std::uintptr_t>(mem.data()) % 8) % 8;
        ASSERT_EQ(sef_state_setup(base, sef_state_area_size(max_len), max_len, version), OK);
        for (const std::string& c : checkpoints)
            ASSERT_EQ(sef_state_checkpoint(c.data(), c.size()), OK);
        pred.assign(base, base + sef_state_area_size(max_len));
        fake::reset();  // the new instance starts with nothing of it
        new_instance();
    }

    // Start as a new instance: RS_INIT of `type` naming the predecessor.
    static void start(int type, endpoint_t prev = kPredEp, int grant = kPredGrant) {
        ASSERT_EQ(sef_state_setup(area, sizeof area, kMax, 3), OK);
        message m = init_msg(type);
        m.RS_INIT_PREV_ENDPT = static_cast<vir_bytes>(prev);
        m.RS_INIT_PREV_GRANT = static_cast<vir_bytes>(grant);
        fake::push_receive(m);
        fake::push_sendrec(RS, fake::msg(RS, OK));
        EXPECT_FALSE(fake::run([] { sef_startup(); }));
    }

    static message report() {
        for (const fake::Trap& t : fake::ipc_traps())
            if (t.call == SENDREC) return t.msg;
        ADD_FAILURE() << "no init report";
        return {};
    }

    // The data of copy i of the predecessor's area.
    static unsigned char* pred_data(int i) {
        const std::size_t slot = (kMax + 7) & ~std::size_t{7};
        return pred.data() + sizeof(sef_state_area_hdr) +
               static_cast<std::size_t>(i) * (sizeof(sef_state_copy_hdr) + slot) +
               sizeof(sef_state_copy_hdr);
    }
    static sef_state_copy_hdr* pred_hdr(int i) {
        return reinterpret_cast<sef_state_copy_hdr*>(pred_data(i) - sizeof(sef_state_copy_hdr));
    }
};

TEST_F(LibSefState, SetupRefusesABadArea) {
    EXPECT_EQ(sef_state_setup(nullptr, sizeof area, kMax, 1), -EINVAL);
    EXPECT_EQ(sef_state_setup(area, sizeof area - 1, kMax, 1), -EINVAL);
    EXPECT_EQ(sef_state_setup(area + 1, sizeof area - 8, 10, 1), -EINVAL);  // misaligned
    EXPECT_EQ(sef_state_setup(area, sizeof area, 0, 1), -EINVAL);
    EXPECT_EQ(sef_state_setup(area, sizeof area, kMax, 1), OK);
}

TEST_F(LibSefState, CheckpointNeedsAnAreaAndFitsIt) {
    char big[kMax + 9] = {};
    EXPECT_EQ(sef_state_checkpoint("x", 1), -ENOSYS);
    ASSERT_EQ(sef_state_setup(area, sizeof area, kMax, 1), OK);
    EXPECT_EQ(sef_state_checkpoint(big, sizeof big), -EINVAL);
    EXPECT_EQ(sef_state_checkpoint(big, kMax), OK);
}

TEST_F(LibSefState, TheInitAnswerCarriesTheGrantOfTheArea) {
    start(SEF_INIT_FRESH);
    const message r = report();
    EXPECT_EQ(r.m_type, RS_INIT);
    EXPECT_GE(r.RS_INIT_STATE_AREA, 0);
    // Granted read-only to our own endpoint, covering the whole area.
    EXPECT_EQ(fake::kernel_calls(SYS_SETGRANT).size(), 1u);
}

TEST_F(LibSefState, WithoutAnAreaTheAnswerSaysNone) {
    fake::push_receive(init_msg(SEF_INIT_FRESH));
    fake::push_sendrec(RS, fake::msg(RS, OK));
    EXPECT_FALSE(fake::run([] { sef_startup(); }));
    EXPECT_EQ(report().RS_INIT_STATE_AREA, GRANT_INVALID);
}

TEST_F(LibSefState, AFreshStartHasNoPredecessor) {
    start(SEF_INIT_FRESH);
    char buf[8];
    std::size_t len = sizeof buf;
    EXPECT_EQ(sef_state_restore(buf, &len, nullptr), -ENOENT);
    EXPECT_EQ(sef_state_predecessor(), NONE);
}

TEST_F(LibSefState, NoGrantMeansNoPredecessor) {
    start(SEF_INIT_RESTART, kPredEp, GRANT_INVALID);
    EXPECT_EQ(restore_result, -ENOENT);
}

TEST_F(LibSefState, LiveUpdateRestoresTheNewestCheckpoint) {
    predecessor_wrote({"first state", "second state"});
    start(SEF_INIT_LU);
    EXPECT_EQ(restore_result, OK);
    EXPECT_EQ(restored, "second state");
    EXPECT_EQ(restored_version, 3u);
    EXPECT_EQ(sef_state_predecessor(), kPredEp);
}

TEST_F(LibSefState, RestartRestoresToo) {
    predecessor_wrote({"only"});
    start(SEF_INIT_RESTART);
    EXPECT_EQ(restore_result, OK);
    EXPECT_EQ(restored, "only");
}

TEST_F(LibSefState, ADamagedNewestCopyFallsBackToTheOlder) {
    predecessor_wrote({"older", "newer"});
    pred_data(1)[0] ^= 0x40;  // the second checkpoint went to copy 1
    start(SEF_INIT_RESTART);
    EXPECT_EQ(restore_result, OK);
    EXPECT_EQ(restored, "older");
}

TEST_F(LibSefState, ACrashInTheMiddleOfACheckpointLeavesTheOlderCopy) {
    predecessor_wrote({"older", "newer"});
    pred_hdr(1)->magic = 0;  // what a checkpoint cut short looks like
    start(SEF_INIT_RESTART);
    EXPECT_EQ(restore_result, OK);
    EXPECT_EQ(restored, "older");
}

TEST_F(LibSefState, BothCopiesDamagedIsAnError) {
    predecessor_wrote({"older", "newer"});
    pred_data(0)[1] ^= 1;
    pred_data(1)[1] ^= 1;
    start(SEF_INIT_RESTART);
    EXPECT_EQ(restore_result, -EIO);
}

TEST_F(LibSefState, AHeaderClaimingMoreThanItsCopyIsIgnored) {
    predecessor_wrote({"older", "newer"});
    pred_hdr(1)->len = 100000;
    start(SEF_INIT_RESTART);
    EXPECT_EQ(restore_result, OK);
    EXPECT_EQ(restored, "older");
}

TEST_F(LibSefState, APredecessorThatNeverCheckpointedHasNothing) {
    predecessor_wrote({});
    start(SEF_INIT_RESTART);
    EXPECT_EQ(restore_result, -ENOENT);
}

TEST_F(LibSefState, APredecessorWhoseMemoryIsGoneIsEfault) {
    predecessor_wrote({"state"});
    copy_error = -EFAULT;
    start(SEF_INIT_RESTART);
    EXPECT_EQ(restore_result, -EFAULT);
}

TEST_F(LibSefState, AnAreaThatIsNotOneIsDamaged) {
    predecessor_wrote({"state"});
    std::memset(pred.data(), 0, sizeof(sef_state_area_hdr));
    start(SEF_INIT_RESTART);
    EXPECT_EQ(restore_result, -EIO);
}

TEST_F(LibSefState, APredecessorWithALargerAreaIsReadThroughItsOwnLayout) {
    predecessor_wrote({"from a bigger area", "and its second copy"}, 4000, 2);
    start(SEF_INIT_LU);
    EXPECT_EQ(restore_result, OK);
    EXPECT_EQ(restored, "and its second copy");
    EXPECT_EQ(restored_version, 2u);
}

TEST_F(LibSefState, ACheckpointLargerThanTheBufferIsE2big) {
    predecessor_wrote({std::string(kMax, 'x')});
    start(SEF_INIT_RESTART);
    char small[10];
    std::size_t len = sizeof small;
    EXPECT_EQ(sef_state_restore(small, &len, nullptr), -E2BIG);
}

TEST_F(LibSefState, OurCheckpointsAreNewerThanTheOneWeTook) {
    predecessor_wrote({"a", "b", "c"});  // sequence numbers 1..3
    start(SEF_INIT_RESTART);
    ASSERT_EQ(restore_result, OK);
    ASSERT_EQ(sef_state_checkpoint("mine", 4), OK);
    const auto* h0 = reinterpret_cast<const sef_state_copy_hdr*>(area + sizeof(sef_state_area_hdr));
    const auto* h1 = reinterpret_cast<const sef_state_copy_hdr*>(
        area + sizeof(sef_state_area_hdr) + sizeof(sef_state_copy_hdr) + ((kMax + 7) & ~7ul));
    EXPECT_EQ(std::max(h0->seq, h1->seq), 4u);
}

TEST_F(LibSefState, Crc32IsTheStandardOne) {
    EXPECT_EQ(sef_crc32("123456789", 9), 0xCBF43926u);
    EXPECT_EQ(sef_crc32("", 0), 0u);
}

}  // namespace
