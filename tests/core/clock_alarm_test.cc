// The clock: uptime, timers in order, SYS_SETALARM.
#include "calls_harness.h"

namespace umk {
namespace {

using namespace test;

std::vector<int> fired;
void record(Timer& t) {
    fired.push_back(static_cast<int>(t.arg));
}

int setalarm(Proc& p, std::int64_t ticks, bool absolute = false, std::int64_t* left = nullptr) {
    message m{};
    m.ALRM_EXP_TIME = ticks;
    m.ALRM_ABS_TIME = absolute;
    message reply{};
    const int r = kc(p, SYS_SETALARM, m, &reply);
    if (left) *left = reply.ALRM_TIME_LEFT;
    return r;
}

void ticks(int n) {
    for (int i = 0; i < n; ++i) clock_tick();
}

TEST(ClockTimers, UptimeCounts) {
    clock_reset();
    EXPECT_EQ(uptime(), 0u);
    ticks(3);
    EXPECT_EQ(uptime(), 3u);
}

TEST(ClockTimers, ExpireInOrderOfTimeThenOfSetting) {
    clock_reset();
    fired.clear();
    Timer t[4];
    set_timer(t[0], 5, record, 0);
    set_timer(t[1], 2, record, 1);
    set_timer(t[2], 5, record, 2);
    set_timer(t[3], 3, record, 3);
    EXPECT_EQ(timer_left(t[0]), 5u);
    ticks(2);
    EXPECT_EQ(fired, (std::vector<int>{1}));
    ticks(10);
    EXPECT_EQ(fired, (std::vector<int>{1, 3, 0, 2}));
    EXPECT_EQ(timer_left(t[0]), 0u);
}

TEST(ClockTimers, ResetAndResetAgainAreSafe) {
    clock_reset();
    fired.clear();
    Timer a, b;
    set_timer(a, 2, record, 1);
    set_timer(b, 2, record, 2);
    set_timer(a, 4, record, 1);  // moves, never linked twice
    reset_timer(b);
    reset_timer(b);
    ticks(5);
    EXPECT_EQ(fired, (std::vector<int>{1}));
}

int rearm_count;
void rearm(Timer& t) {
    if (++rearm_count < 3) set_timer(t, uptime() + 1, rearm, 0);
}

TEST(ClockTimers, TimerCanRearmItself) {
    clock_reset();
    rearm_count = 0;
    Timer t;
    set_timer(t, 1, rearm, 0);
    ticks(1);
    EXPECT_EQ(rearm_count, 1);
    ticks(10);
    EXPECT_EQ(rearm_count, 3);
    EXPECT_EQ(t.fn, nullptr);
}

TEST(ClockAlarm, FiresOnceAsNotificationFromClock) {
    boot_managed();
    Proc& svc = proc(SVC);
    std::int64_t left = -1;
    EXPECT_EQ(setalarm(svc, 3, false, &left), OK);
    EXPECT_EQ(left, 0);
    ASSERT_EQ(receive(svc, ANY), BLOCKED);
    ticks(2);
    EXPECT_EQ(count_notifies(svc, CLOCK), 0);
    ticks(1);
    EXPECT_EQ(count_notifies(svc, CLOCK), 1);
    EXPECT_EQ(last_msg(svc).m_source, CLOCK);
    ASSERT_EQ(receive(svc, ANY), BLOCKED);
    ticks(10);
    EXPECT_EQ(count_notifies(svc, CLOCK), 1);
}

TEST(ClockAlarm, RemainingTimeAndCancel) {
    boot_managed();
    Proc& svc = proc(SVC);
    EXPECT_EQ(setalarm(svc, 10), OK);
    ticks(4);
    std::int64_t left = 0;
    EXPECT_EQ(setalarm(svc, 0, false, &left), OK);  // cancel
    EXPECT_EQ(left, 6);
    EXPECT_EQ(setalarm(svc, 0, false, &left), OK);
    EXPECT_EQ(left, 0);
    ASSERT_EQ(receive(svc, ANY), BLOCKED);
    ticks(20);
    EXPECT_EQ(count_notifies(svc, CLOCK), 0);
}

TEST(ClockAlarm, ResettingReplacesTheOldAlarm) {
    boot_managed();
    Proc& svc = proc(SVC);
    EXPECT_EQ(setalarm(svc, 2), OK);
    std::int64_t left = 0;
    EXPECT_EQ(setalarm(svc, 5, false, &left), OK);
    EXPECT_EQ(left, 2);
    ASSERT_EQ(receive(svc, ANY), BLOCKED);
    ticks(4);
    EXPECT_EQ(count_notifies(svc, CLOCK), 0);
    ticks(1);
    EXPECT_EQ(count_notifies(svc, CLOCK), 1);
}

TEST(ClockAlarm, AbsoluteTime) {
    boot_managed();
    ticks(5);
    Proc& svc = proc(SVC);
    EXPECT_EQ(setalarm(svc, 7, true), OK);
    ASSERT_EQ(receive(svc, ANY), BLOCKED);
    ticks(1);
    EXPECT_EQ(count_notifies(svc, CLOCK), 0);
    ticks(1);
    EXPECT_EQ(count_notifies(svc, CLOCK), 1);
}

TEST(ClockAlarm, EachProcessHasItsOwn) {
    boot_managed();
    EXPECT_EQ(setalarm(proc(SVC), 2), OK);
    EXPECT_EQ(setalarm(proc(SVC2), 1), OK);
    ASSERT_EQ(receive(proc(SVC), ANY), BLOCKED);
    ASSERT_EQ(receive(proc(SVC2), ANY), BLOCKED);
    ticks(1);
    EXPECT_EQ(count_notifies(proc(SVC2), CLOCK), 1);
    EXPECT_EQ(count_notifies(proc(SVC), CLOCK), 0);
    ticks(1);
    EXPECT_EQ(count_notifies(proc(SVC), CLOCK), 1);
}

TEST(ClockAlarm, Errors) {
    boot_managed();
    EXPECT_EQ(setalarm(proc(SVC), -1), -EINVAL);
    // A user process has no record of its own for an alarm.
    user_priv()->s_k_call_mask.set(SYS_SETALARM - KERNEL_CALL);
    EXPECT_EQ(setalarm(proc(USER), 3), -EPERM);
    user_priv()->s_k_call_mask.reset(SYS_SETALARM - KERNEL_CALL);
}

}  // namespace
}  // namespace umk
