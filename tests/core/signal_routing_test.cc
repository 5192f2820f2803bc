// cause_sig / send_sig / proc_fault: which signal manager hears of a signal,
// and what happens when there is none.
#include "calls_harness.h"

namespace umk {
namespace {

using namespace test;

constexpr std::uint64_t bit(int sig) {
    return sig_bit(sig);
}

TEST(SignalRouting, SystemProcessSignalGoesToItsManager) {
    boot_managed();
    cause_sig(proc(SVC), SIGTERM);
    EXPECT_EQ(proc(SVC).p_rts_flags & (RTS_SIGNALED | RTS_SIG_PENDING),
              RTS_SIGNALED | RTS_SIG_PENDING);
    EXPECT_EQ(proc(SVC).p_pending, bit(SIGTERM));

    const message n = receive_now(proc(RS));
    EXPECT_EQ(n.m_source, SYSTEM);
    EXPECT_EQ(n.m_type, notify_from(SYSTEM));
    EXPECT_EQ(static_cast<std::uint64_t>(n.NOTIFY_ARG), bit(SIGKSIG));
    EXPECT_EQ(priv_of(RS).s_sig_pending, 0u);  // handed over with the notification
    // PM is not involved.
    EXPECT_EQ(priv_of(PM).s_sig_pending, 0u);
}

TEST(SignalRouting, UserProcessSignalGoesToPm) {
    boot_managed();
    cause_sig(proc(USER), SIGINT);
    EXPECT_TRUE(proc(USER).p_rts_flags & RTS_SIGNALED);
    EXPECT_EQ(priv_of(PM).s_sig_pending, bit(SIGKSIG));
    EXPECT_EQ(priv_of(RS).s_sig_pending, 0u);
    const message n = receive_now(proc(PM));
    EXPECT_EQ(n.m_type, notify_from(SYSTEM));
    EXPECT_EQ(static_cast<std::uint64_t>(n.NOTIFY_ARG), bit(SIGKSIG));
}

TEST(SignalRouting, SecondSignalJoinsTheBatch) {
    boot_managed();
    cause_sig(proc(SVC), SIGTERM);
    EXPECT_EQ(receive_now(proc(RS)).m_type, notify_from(SYSTEM));
    cause_sig(proc(SVC), SIGHUP);
    cause_sig(proc(SVC), SIGTERM);  // already pending: nothing new
    EXPECT_EQ(proc(SVC).p_pending, bit(SIGTERM) | bit(SIGHUP));
    // No second SIGKSIG while the first batch is uncollected.
    EXPECT_EQ(priv_of(RS).s_sig_pending, 0u);
}

TEST(SignalRouting, SelfManagedGetsSigksigsm) {
    boot_managed();
    cause_sig(proc(RS), SIGTERM);
    EXPECT_FALSE(proc(RS).p_rts_flags & (RTS_SIGNALED | RTS_SIG_PENDING));
    EXPECT_EQ(proc(RS).p_pending, 0u);
    const message n = receive_now(proc(RS));
    EXPECT_EQ(n.m_type, notify_from(SYSTEM));
    EXPECT_EQ(static_cast<std::uint64_t>(n.NOTIFY_ARG), bit(SIGTERM) | bit(SIGKSIGSM));
}

TEST(SignalRouting, SelfManagedLethalSignalStopsItWithoutPanic) {
    boot_managed();
    cause_sig(proc(RS), SIGSEGV);
    EXPECT_TRUE(proc(RS).p_rts_flags & RTS_PROC_STOP);
    EXPECT_EQ(priv_of(RS).s_sig_pending, 0u);
    EXPECT_NE(kernel_log().find("rs"), std::string::npos);
    EXPECT_NE(kernel_log().find("its own signal manager"), std::string::npos) << kernel_log();
}

TEST(SignalRouting, NoManagerLethalStopsOthersIgnored) {
    boot_managed();
    priv_of(SVC).s_sig_mgr = NONE;
    cause_sig(proc(SVC), SIGTERM);
    EXPECT_EQ(proc(SVC).p_rts_flags, 0u);
    EXPECT_EQ(proc(SVC).p_pending, 0u);
    EXPECT_TRUE(kernel_log().empty()) << kernel_log();

    cause_sig(proc(SVC), SIGILL);
    EXPECT_EQ(proc(SVC).p_rts_flags, RTS_PROC_STOP);
    EXPECT_NE(kernel_log().find("no signal manager"), std::string::npos) << kernel_log();
}

TEST(SignalRouting, DeadManagerCountsAsNone) {
    boot_managed();
    priv_of(SVC).s_sig_mgr = make_endpoint(5, 40);  // nobody
    cause_sig(proc(SVC), SIGFPE);
    EXPECT_EQ(proc(SVC).p_rts_flags, RTS_PROC_STOP);
    EXPECT_EQ(proc(SVC).p_pending, 0u);
}

TEST(SignalRouting, ProcFaultMarksHostDeadAndRoutes) {
    boot_managed();
    proc_fault(proc(SVC), SIGKILL, true);
    EXPECT_TRUE(proc(SVC).p_misc_flags & MF_HOST_DEAD);
    EXPECT_EQ(proc(SVC).p_pending, bit(SIGKILL));
    EXPECT_EQ(priv_of(RS).s_sig_pending, bit(SIGKSIG));

    proc_fault(proc(SVC2), SIGSEGV, false);
    EXPECT_FALSE(proc(SVC2).p_misc_flags & MF_HOST_DEAD);
    EXPECT_EQ(proc(SVC2).p_pending, bit(SIGSEGV));
}

TEST(SignalRouting, HostGoneWithoutManagerStops) {
    boot_managed();
    priv_of(SVC).s_sig_mgr = NONE;
    proc_fault(proc(SVC), SIGKILL, true);
    EXPECT_TRUE(proc(SVC).p_rts_flags & RTS_PROC_STOP);
}

TEST(SignalRouting, SelfManagedWhoseHostIsGoneStops) {
    boot_managed();
    proc_fault(proc(RS), SIGKILL, true);
    EXPECT_TRUE(proc(RS).p_rts_flags & RTS_PROC_STOP);
    EXPECT_EQ(priv_of(RS).s_sig_pending, 0u);
}

TEST(SignalRouting, ProcFaultOnFreeSlotIsHarmless) {
    boot_managed();
    proc_fault(proc(40), SIGSEGV, true);
    EXPECT_TRUE(proc_is_free(proc(40)));
    EXPECT_FALSE(proc(40).p_misc_flags & MF_HOST_DEAD);
    EXPECT_NE(kernel_log().find("holds no process"), std::string::npos) << kernel_log();
}

TEST(SignalRouting, SendSigPostsToTheProcessItself) {
    boot_managed();
    send_sig(proc(SVC), SIGKMESS);
    EXPECT_EQ(priv_of(SVC).s_sig_pending, bit(SIGKMESS));
    const message n = receive_now(proc(SVC));
    EXPECT_EQ(static_cast<std::uint64_t>(n.NOTIFY_ARG), bit(SIGKMESS));
}

TEST(SignalRouting, SigDelayDoneTellsTheManager) {
    boot_managed();
    proc(SVC).p_misc_flags |= MF_SIG_DELAY;
    sig_delay_done(proc(SVC));
    EXPECT_FALSE(proc(SVC).p_misc_flags & MF_SIG_DELAY);
    EXPECT_EQ(proc(SVC).p_pending, bit(SIGKNDELAY));
    EXPECT_EQ(priv_of(RS).s_sig_pending, bit(SIGKSIG));
}

}  // namespace
}  // namespace umk
