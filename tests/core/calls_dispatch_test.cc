// The kernel-call trap: call numbers, the call mask, the reply.
#include "calls_harness.h"

namespace umk {
namespace {

using namespace test;

TEST(CallsDispatch, ReplyComesFromSystemWithResultAndFields) {
    boot_managed();
    message reply{};
    message m{};
    m.I_REQUEST = GET_UPTIME;
    EXPECT_EQ(kc(proc(SVC), SYS_GETINFO, m, &reply), OK);
    EXPECT_EQ(reply.m_source, SYSTEM);
    EXPECT_EQ(reply.m2_i1, HZ);
    EXPECT_EQ(result(proc(SVC)), OK);                      // the trap itself succeeded
    EXPECT_FALSE(proc(SVC).p_misc_flags & MF_DELIVERMSG);  // copied out
}

TEST(CallsDispatch, NumberOutOfRangeIsBadRequest) {
    boot_managed();
    EXPECT_EQ(kc(proc(RS), KERNEL_CALL - 1), -EBADREQUEST);
    EXPECT_EQ(kc(proc(RS), KERNEL_CALL + NR_SYS_CALLS), -EBADREQUEST);
    EXPECT_EQ(kc(proc(RS), 0), -EBADREQUEST);
    EXPECT_NE(kernel_log().find("illegal request"), std::string::npos) << kernel_log();
}

TEST(CallsDispatch, CallNotInMaskIsDenied) {
    boot_managed();
    priv_of(SVC).s_k_call_mask.reset(SYS_GETINFO - KERNEL_CALL);
    message m{};
    m.I_REQUEST = GET_UPTIME;
    EXPECT_EQ(kc(proc(SVC), SYS_GETINFO, m), -ECALLDENIED);
    priv_of(SVC).s_k_call_mask.set(SYS_GETINFO - KERNEL_CALL);
    EXPECT_EQ(kc(proc(SVC), SYS_GETINFO, m), OK);
}

TEST(CallsDispatch, UserProcessesMakeNoKernelCalls) {
    boot_managed();
    EXPECT_EQ(kc(proc(USER), SYS_TIMES), -ECALLDENIED);
    EXPECT_EQ(kc(proc(USER), SYS_EXIT), -ECALLDENIED);
}

TEST(CallsDispatch, NoPrivilegesIsDenied) {
    boot_managed();
    Proc& p = proc(SVC);
    Priv* saved = p.p_priv;
    p.p_priv = nullptr;
    EXPECT_EQ(kc(p, SYS_TIMES), -ECALLDENIED);
    p.p_priv = saved;
}

TEST(CallsDispatch, AllowedButUnimplementedCallIsBadRequest) {
    boot_managed();
    EXPECT_EQ(kc(proc(RS), SYS_FORK), -EBADREQUEST);
    EXPECT_EQ(kc(proc(RS), KERNEL_CALL + 3), -EBADREQUEST);
}

TEST(CallsDispatch, SelfMeansTheCaller) {
    boot_managed();
    proc(SVC).p_user_time = 77;
    message m{};
    m.T_ENDPT = SELF;
    message reply{};
    EXPECT_EQ(kc(proc(SVC), SYS_TIMES, m, &reply), OK);
    EXPECT_EQ(reply.T_USER_TIME, 77u);
}

}  // namespace
}  // namespace umk
