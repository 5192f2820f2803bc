// SYS_EXIT, SYS_KILL, SYS_GETKSIG, SYS_ENDKSIG: the signal manager's loop.
#include "calls_harness.h"

namespace umk {
namespace {

using namespace test;

int getksig(Proc& mgr, endpoint_t* who, sigset_t_* map) {
    message reply{};
    const int r = kc(mgr, SYS_GETKSIG, {}, &reply);
    *who = reply.SIG_ENDPT;
    *map = reply.SIG_MAP;
    return r;
}

int endksig(Proc& mgr, endpoint_t who) {
    message m{};
    m.SIG_ENDPT = who;
    return kc(mgr, SYS_ENDKSIG, m);
}

int kill(Proc& caller, endpoint_t who, int sig) {
    message m{};
    m.SIG_ENDPT = who;
    m.SIG_NUMBER = sig;
    return kc(caller, SYS_KILL, m);
}

TEST(CallsSignal, ExitReachesTheManagerAsSigksig) {
    boot_managed();
    Proc& svc = proc(SVC);
    EXPECT_EQ(kc(svc, SYS_EXIT), BLOCKED);  // no reply; held for its manager
    EXPECT_TRUE(svc.p_rts_flags & RTS_SIG_PENDING);
    EXPECT_EQ(delivered_count(svc), 0);

    const message n = receive_now(proc(RS));
    EXPECT_EQ(n.m_source, SYSTEM);
    EXPECT_EQ(n.m_type, notify_from(SYSTEM));
    EXPECT_EQ(static_cast<std::uint64_t>(n.NOTIFY_ARG), sig_bit(SIGKSIG));

    endpoint_t who = NONE;
    sigset_t_ map = 0;
    EXPECT_EQ(getksig(proc(RS), &who, &map), OK);
    EXPECT_EQ(who, ep(SVC));
    EXPECT_EQ(map, sig_bit(SIGABRT));
    EXPECT_FALSE(svc.p_rts_flags & RTS_SIGNALED);
    EXPECT_TRUE(svc.p_rts_flags & RTS_SIG_PENDING);  // still held

    EXPECT_EQ(getksig(proc(RS), &who, &map), OK);
    EXPECT_EQ(who, NONE);

    EXPECT_EQ(endksig(proc(RS), ep(SVC)), OK);
    EXPECT_FALSE(svc.p_rts_flags & RTS_SIG_PENDING);
}

TEST(CallsSignal, GetksigOnlyReturnsTheCallersProcesses) {
    boot_managed();
    cause_sig(proc(SVC), SIGTERM);
    endpoint_t who = 0;
    sigset_t_ map = 1;
    EXPECT_EQ(getksig(proc(PM), &who, &map), OK);
    EXPECT_EQ(who, NONE);
    EXPECT_EQ(map, 0u);
    cause_sig(proc(USER), SIGINT);
    EXPECT_EQ(getksig(proc(PM), &who, &map), OK);
    EXPECT_EQ(who, ep(USER));
    EXPECT_EQ(map, sig_bit(SIGINT));
}

TEST(CallsSignal, EndksigErrors) {
    boot_managed();
    EXPECT_EQ(endksig(proc(RS), make_endpoint(3, 50)), -EINVAL);
    EXPECT_EQ(endksig(proc(RS), ep(SVC)), -EINVAL);  // nothing in progress
    cause_sig(proc(SVC), SIGTERM);
    EXPECT_EQ(endksig(proc(PM), ep(SVC)), -EPERM);  // not its manager
    EXPECT_TRUE(proc(SVC).p_rts_flags & RTS_SIG_PENDING);
}

TEST(CallsSignal, NewSignalDuringHandlingKeepsItHeld) {
    boot_managed();
    cause_sig(proc(SVC), SIGTERM);
    endpoint_t who;
    sigset_t_ map;
    ASSERT_EQ(getksig(proc(RS), &who, &map), OK);
    cause_sig(proc(SVC), SIGHUP);  // arrives before ENDKSIG
    EXPECT_EQ(endksig(proc(RS), ep(SVC)), OK);
    EXPECT_TRUE(proc(SVC).p_rts_flags & RTS_SIG_PENDING);
    ASSERT_EQ(getksig(proc(RS), &who, &map), OK);
    EXPECT_EQ(who, ep(SVC));
    EXPECT_EQ(map, sig_bit(SIGHUP));
    EXPECT_EQ(endksig(proc(RS), ep(SVC)), OK);
    EXPECT_EQ(proc(SVC).p_rts_flags, 0u);
}

TEST(CallsSignal, KillRoutesThroughTheManager) {
    boot_managed();
    EXPECT_EQ(kill(proc(PM), ep(SVC), SIGTERM), OK);
    EXPECT_EQ(proc(SVC).p_pending, sig_bit(SIGTERM));
    EXPECT_EQ(priv_of(RS).s_sig_pending, sig_bit(SIGKSIG));
}

TEST(CallsSignal, KillErrors) {
    boot_managed();
    EXPECT_EQ(kill(proc(PM), make_endpoint(2, SVC), SIGTERM), -EINVAL);  // stale generation
    EXPECT_EQ(kill(proc(PM), ANY, SIGTERM), -EINVAL);
    EXPECT_EQ(kill(proc(PM), ep(SVC), 0), -EINVAL);
    EXPECT_EQ(kill(proc(PM), ep(SVC), NR_SIGS), -EINVAL);
    EXPECT_EQ(kill(proc(PM), ep(SVC), -3), -EINVAL);
    EXPECT_EQ(kill(proc(PM), CLOCK, SIGTERM), -EPERM);
    EXPECT_EQ(proc(SVC).p_pending, 0u);
}

TEST(CallsSignal, KillSelfHoldsTheCallerUntilEndksig) {
    boot_managed();
    EXPECT_EQ(kill(proc(SVC), SELF, SIGUSR1), BLOCKED);
    endpoint_t who;
    sigset_t_ map;
    ASSERT_EQ(getksig(proc(RS), &who, &map), OK);
    EXPECT_EQ(who, ep(SVC));
    EXPECT_EQ(endksig(proc(RS), ep(SVC)), OK);
    // Released: the KILL trap completes with its reply.
    EXPECT_EQ(result(proc(SVC)), OK);
    EXPECT_EQ(last_msg(proc(SVC)).m_type, OK);
    EXPECT_EQ(last_msg(proc(SVC)).m_source, SYSTEM);
}

}  // namespace
}  // namespace umk
