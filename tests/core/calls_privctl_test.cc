// SYS_PRIVCTL: ALLOW, DISALLOW, SET_SYS, SET_USER.
#include "calls_harness.h"

namespace umk {
namespace {

using namespace test;

constexpr proc_nr_t NEW = 5;  // booted without privileges

void boot_with_new() {
    boot({{RS, "rs", true, sys_priv(SELF)},
          {PM, "pm", true, sys_priv(RS)},
          {SVC, "svc", true, sys_priv(RS)},
          {NEW, "new", false}});
    clock_reset();
    fake::clear_log();
}

int privctl(Proc& caller, endpoint_t target, int request, vir_bytes arg = 0) {
    return kc(caller, SYS_PRIVCTL, privctl_msg(target, request, arg));
}

priv_args basic_args() {
    priv_args a{};
    a.flags = SYS_PROC | DYN_PRIV_ID;
    a.trap_mask = (1u << SENDREC) | (1u << RECEIVE) | (1u << NOTIFY);
    a.sig_mgr = RS;
    a.k_call_mask = std::uint64_t{1} << (SYS_TIMES - KERNEL_CALL);
    return a;
}

TEST(CallsPrivctl, SetSysDefaultsThenAllow) {
    boot_with_new();
    Proc& p = proc(NEW);
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_SYS), OK);
    ASSERT_NE(p.p_priv, nullptr);
    const Priv& pr = *p.p_priv;
    EXPECT_GE(pr.s_id, NR_STATIC_PRIV_IDS);  // dynamic
    EXPECT_EQ(pr.s_proc_nr, NEW);
    EXPECT_TRUE(pr.s_flags & SYS_PROC);
    EXPECT_TRUE(pr.s_flags & DYN_PRIV_ID);
    EXPECT_EQ(pr.s_sig_mgr, ep(RS));  // the caller, as MINIX's RS default
    EXPECT_TRUE(pr.s_k_call_mask.test(SYS_UPDATE - KERNEL_CALL));
    EXPECT_TRUE(pr.s_ipc_to.test(priv_of(SVC).s_id));
    EXPECT_FALSE(pr.s_ipc_to.test(USER_PRIV_ID));
    EXPECT_FALSE(pr.s_ipc_to.test(pr.s_id));              // never to itself
    EXPECT_TRUE(priv_of(SVC).s_ipc_to.test(pr.s_id));     // symmetric
    EXPECT_FALSE(priv_of(CLOCK).s_ipc_to.test(pr.s_id));  // CLOCK only receives
    EXPECT_TRUE(p.p_rts_flags & RTS_NO_PRIV);             // not yet running

    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_ALLOW), OK);
    EXPECT_FALSE(p.p_rts_flags & RTS_NO_PRIV);
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_ALLOW), -EPERM);    // already allowed
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_SYS), -EPERM);  // only while held
}

TEST(CallsPrivctl, SetSysFromArgs) {
    boot_with_new();
    priv_args a = basic_args();
    a.ipc_to[0] = std::uint64_t{1} << priv_of(SVC).s_id;
    a.flags |= CHECK_IRQ;
    a.nr_irq = 2;
    a.irq_tab[0] = 5;
    a.irq_tab[1] = 9;
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_SYS, put_args(proc(RS), a)), OK);
    const Priv& pr = priv_of(NEW);
    EXPECT_EQ(pr.s_trap_mask, a.trap_mask);
    EXPECT_EQ(pr.s_sig_mgr, ep(RS));
    EXPECT_TRUE(pr.s_k_call_mask.test(SYS_TIMES - KERNEL_CALL));
    EXPECT_FALSE(pr.s_k_call_mask.test(SYS_UPDATE - KERNEL_CALL));
    EXPECT_TRUE(pr.s_ipc_to.test(priv_of(SVC).s_id));
    EXPECT_FALSE(pr.s_ipc_to.test(priv_of(PM).s_id));
    EXPECT_FALSE(priv_of(PM).s_ipc_to.test(pr.s_id));  // symmetry both ways
    EXPECT_TRUE(priv_of(SVC).s_ipc_to.test(pr.s_id));
    EXPECT_EQ(pr.s_nr_irq, 2);
    EXPECT_EQ(pr.s_irq_tab[1], 9);
}

TEST(CallsPrivctl, SetSysStaticId) {
    boot_with_new();
    priv_args a = basic_args();
    a.flags &= ~DYN_PRIV_ID;
    a.id = static_priv_id(NEW);
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_SYS, put_args(proc(RS), a)), OK);
    EXPECT_EQ(priv_of(NEW).s_id, static_priv_id(NEW));
    EXPECT_FALSE(priv_of(NEW).s_flags & DYN_PRIV_ID);
}

TEST(CallsPrivctl, SetSysStaticIdErrors) {
    boot_with_new();
    priv_args a = basic_args();
    a.flags &= ~DYN_PRIV_ID;
    a.id = priv_of(SVC).s_id;  // taken
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_SYS, put_args(proc(RS), a)), -EBUSY);
    a.id = USER_PRIV_ID;
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_SYS, put_args(proc(RS), a)), -EINVAL);
    a.id = NR_STATIC_PRIV_IDS;  // a dynamic id cannot be asked for
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_SYS, put_args(proc(RS), a)), -EINVAL);
    a.id = 0;  // IDLE's
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_SYS, put_args(proc(RS), a)), -EINVAL);
    EXPECT_EQ(proc(NEW).p_priv, nullptr);  // no trace
}

TEST(CallsPrivctl, SetSysArgErrorsLeaveNoTrace) {
    boot_with_new();
    priv_args a = basic_args();
    a.flags |= CHECK_IRQ;
    a.nr_irq = 5;
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_SYS, put_args(proc(RS), a)), -EINVAL);
    a = basic_args();
    a.flags |= CHECK_IO_PORT;
    a.nr_io_range = -1;
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_SYS, put_args(proc(RS), a)), -EINVAL);
    a = basic_args();
    a.sig_mgr = make_endpoint(3, 60);  // nobody
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_SYS, put_args(proc(RS), a)), -EINVAL);
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_SYS, 0x10), -EFAULT);  // unreadable
    EXPECT_EQ(proc(NEW).p_priv, nullptr);
    a = basic_args();
    a.sig_mgr = SELF;
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_SYS, put_args(proc(RS), a)), OK);
    EXPECT_EQ(priv_of(NEW).s_sig_mgr, ep(NEW));
}

TEST(CallsPrivctl, NoDynamicIdLeftIsEnospc) {
    boot_with_new();
    std::vector<Priv*> taken;
    while (Priv* pr = priv_alloc(0, true)) taken.push_back(pr);
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_SYS), -ENOSPC);
    EXPECT_EQ(proc(NEW).p_priv, nullptr);
    for (Priv* pr : taken) priv_free(*pr);
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_SYS), OK);
}

TEST(CallsPrivctl, DisallowHoldsItAgain) {
    boot_with_new();
    EXPECT_EQ(privctl(proc(RS), ep(SVC), SYS_PRIV_DISALLOW), OK);
    EXPECT_TRUE(proc(SVC).p_rts_flags & RTS_NO_PRIV);
    EXPECT_EQ(privctl(proc(RS), ep(SVC), SYS_PRIV_DISALLOW), -EPERM);
    // Held again: new privileges replace the old record without leaking it.
    const sys_id_t old_id = priv_of(SVC).s_id;
    EXPECT_EQ(privctl(proc(RS), ep(SVC), SYS_PRIV_SET_SYS), OK);
    EXPECT_NE(priv_of(SVC).s_id, old_id);
    EXPECT_EQ(priv_by_id(old_id), nullptr);
    EXPECT_EQ(privctl(proc(RS), ep(SVC), SYS_PRIV_ALLOW), OK);
    EXPECT_TRUE(proc_is_runnable(proc(SVC)));
}

TEST(CallsPrivctl, AllowNeedsARecord) {
    boot_with_new();
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_ALLOW), -EPERM);
    EXPECT_TRUE(proc(NEW).p_rts_flags & RTS_NO_PRIV);
}

TEST(CallsPrivctl, SetUserSharesTheRecordAndManager) {
    boot_with_new();
    // Without an argument: the process in PM's slot becomes the user manager.
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_USER), OK);
    EXPECT_EQ(proc(NEW).p_priv, user_priv());
    EXPECT_EQ(user_priv()->s_sig_mgr, ep(PM));
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_ALLOW), OK);
    EXPECT_TRUE(proc_is_runnable(proc(NEW)));
    cause_sig(proc(NEW), SIGINT);
    EXPECT_EQ(priv_of(PM).s_sig_pending, sig_bit(SIGKSIG));
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_USER), -EPERM);  // not held
}

TEST(CallsPrivctl, SetUserWithManagerArgument) {
    boot_with_new();
    priv_args a{};
    a.sig_mgr = ep(SVC);
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_USER, put_args(proc(RS), a)), OK);
    EXPECT_EQ(user_priv()->s_sig_mgr, ep(SVC));
    a.sig_mgr = make_endpoint(2, 70);
    EXPECT_EQ(privctl(proc(RS), ep(NEW), SYS_PRIV_SET_USER, put_args(proc(RS), a)), -EINVAL);
    EXPECT_EQ(user_priv()->s_sig_mgr, ep(SVC));
}

TEST(CallsPrivctl, Errors) {
    boot_with_new();
    // Caller must be a system process.
    Proc& u = proc(NEW);
    u.p_priv = user_priv();
    user_priv()->s_k_call_mask.set(SYS_PRIVCTL - KERNEL_CALL);
    rts_unset(u, RTS_NO_PRIV);
    EXPECT_EQ(privctl(u, ep(SVC), SYS_PRIV_DISALLOW), -EPERM);
    user_priv()->s_k_call_mask.reset(SYS_PRIVCTL - KERNEL_CALL);
    EXPECT_FALSE(proc(SVC).p_rts_flags & RTS_NO_PRIV);

    EXPECT_EQ(privctl(proc(RS), make_endpoint(1, 50), SYS_PRIV_ALLOW), -EINVAL);
    EXPECT_EQ(privctl(proc(RS), CLOCK, SYS_PRIV_DISALLOW), -EPERM);
    EXPECT_EQ(privctl(proc(RS), ep(SVC), 99), -EINVAL);
    EXPECT_EQ(privctl(proc(RS), ep(SVC), SYS_PRIV_ADD_IRQ), -EINVAL);
}

}  // namespace
}  // namespace umk
