// SYS_CLEAR: freeing a process's slot.
#include "calls_harness.h"

namespace umk {
namespace {

using namespace test;

int clear(Proc& caller, endpoint_t e) {
    message m{};
    m.PR_ENDPT = e;
    return kc(caller, SYS_CLEAR, m);
}

TEST(CallsClear, WakesPartnersAndFreesTheSlot) {
    boot_managed();
    const endpoint_t old = ep(SVC);
    // SVC2 blocked sending to SVC, PM blocked receiving from SVC.
    ASSERT_EQ(send(proc(SVC2), old, make_msg(1)), BLOCKED);
    ASSERT_EQ(receive(proc(PM), old), BLOCKED);

    EXPECT_EQ(clear(proc(RS), old), OK);
    EXPECT_EQ(result(proc(SVC2)), -EDSTDIED);
    EXPECT_EQ(result(proc(PM)), -ESRCDIED);
    EXPECT_TRUE(proc_is_free(proc(SVC)));
    EXPECT_EQ(endpoint_lookup(old), nullptr);
    EXPECT_GE(proc(SVC).p_arch.destroy_calls, 1);
    // A new process in the slot gets a new generation: the old endpoint stays dead.
    EXPECT_NE(proc(SVC).p_endpoint, old);
    EXPECT_EQ(endpoint_slot(proc(SVC).p_endpoint), SVC);
    EXPECT_EQ(endpoint_generation(proc(SVC).p_endpoint), endpoint_generation(old) + 1);
}

TEST(CallsClear, FreesItsPrivilegesAndCancelsItsAlarm) {
    boot_managed();
    const sys_id_t id = priv_of(SVC).s_id;
    message m{};
    m.ALRM_EXP_TIME = 2;
    ASSERT_EQ(kc(proc(SVC), SYS_SETALARM, m), OK);
    EXPECT_EQ(clear(proc(RS), ep(SVC)), OK);
    EXPECT_EQ(priv_by_id(id), nullptr);
    EXPECT_EQ(proc(SVC).p_priv, nullptr);
    for (int i = 0; i < 5; ++i) clock_tick();  // nothing fires into the freed slot
    EXPECT_TRUE(proc_is_free(proc(SVC)));
    EXPECT_EQ(count_notifies(proc(SVC), CLOCK), 0);
}

TEST(CallsClear, UserProcessKeepsTheSharedRecord) {
    boot_managed();
    EXPECT_EQ(clear(proc(PM), ep(USER)), OK);
    EXPECT_TRUE(proc_is_free(proc(USER)));
    EXPECT_NE(priv_by_id(USER_PRIV_ID), nullptr);
    EXPECT_EQ(user_priv()->s_sig_mgr, ep(PM));
}

TEST(CallsClear, Errors) {
    boot_managed();
    EXPECT_EQ(clear(proc(RS), make_endpoint(4, SVC)), -EINVAL);  // other generation
    EXPECT_EQ(clear(proc(RS), ANY), -EINVAL);
    EXPECT_EQ(clear(proc(RS), SYSTEM), -EPERM);
    EXPECT_EQ(clear(proc(RS), ep(RS)), -EPERM);  // itself: that is SYS_EXIT
    EXPECT_EQ(clear(proc(RS), SELF), -EPERM);
    EXPECT_FALSE(proc_is_free(proc(SVC)));
    EXPECT_FALSE(proc_is_free(proc(RS)));
}

TEST(CallsClear, FreeSlotIsNoOp) {
    boot_managed();
    EXPECT_EQ(clear(proc(RS), make_endpoint(0, 40)), OK);
    EXPECT_TRUE(proc_is_free(proc(40)));
    EXPECT_EQ(proc(40).p_endpoint, make_endpoint(0, 40));  // no generation bump
}

}  // namespace
}  // namespace umk
