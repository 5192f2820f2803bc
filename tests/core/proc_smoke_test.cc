// Boot, the process and privilege tables, endpoints and slot reuse.
#include "harness.h"

namespace umk {
namespace {

using namespace test;

TEST(ProcSmoke, BootGivesKernelTasksAndBootProcesses) {
    boot({{0, "pm", false}, {2, "rs"}});
    // Kernel tasks: alive, static privilege ids, CLOCK/SYSTEM receive only.
    for (proc_nr_t t : {IDLE, CLOCK, SYSTEM, KERNEL}) {
        EXPECT_NE(endpoint_lookup(t), nullptr) << t;
        ASSERT_NE(proc(t).p_priv, nullptr);
        EXPECT_EQ(proc(t).p_priv->s_id, static_priv_id(t));
        EXPECT_TRUE(is_sys_proc(proc(t)));
    }
    EXPECT_EQ(priv_of(CLOCK).s_trap_mask, 1u << RECEIVE);
    EXPECT_EQ(priv_of(SYSTEM).s_trap_mask, 1u << RECEIVE);
    EXPECT_STREQ(proc(SYSTEM).p_name, "system");

    // rs: privileged, runnable, its own signal manager, endpoint == slot.
    EXPECT_EQ(ep(2), 2);
    EXPECT_TRUE(proc_is_runnable(proc(2)));
    EXPECT_EQ(priv_of(2).s_id, static_priv_id(2));
    EXPECT_EQ(priv_of(2).s_sig_mgr, 2);
    EXPECT_STREQ(proc(2).p_name, "rs");
    EXPECT_EQ(proc(2).p_arch.ready_calls, 1);  // boot_start let it run

    // pm: exists, waits for privileges.
    EXPECT_EQ(proc(0).p_rts_flags, RTS_NO_PRIV);
    EXPECT_EQ(proc(0).p_priv, nullptr);
    EXPECT_EQ(proc(0).p_arch.ready_calls, 0);

    // Unused slots are free.
    EXPECT_TRUE(proc_is_free(proc(1)));
    EXPECT_EQ(endpoint_lookup(1), nullptr);
}

TEST(ProcSmoke, BootResetsTheClock) {
    boot_sys(1);
    clock_tick();
    clock_tick();
    EXPECT_EQ(uptime(), 2u);
    boot_sys(1);
    EXPECT_EQ(uptime(), 0u);
}

TEST(ProcSmoke, BootRejectsBadTables) {
    fake::reset();
    BootProc twice[] = {{3, "a", false, {}}, {3, "b", false, {}}};
    EXPECT_EQ(kernel_init(twice, 2), -EINVAL);
    EXPECT_NE(kernel_log().find("slot 3 given twice"), std::string::npos) << kernel_log();
    BootProc out_of_range[] = {{NR_PROCS, "a", false, {}}};
    EXPECT_EQ(kernel_init(out_of_range, 1), -EINVAL);
    BootProc long_name[] = {{1, "a_name_that_is_too_long", false, {}}};
    EXPECT_EQ(kernel_init(long_name, 1), -EINVAL);
    // Slot 10's static id is the shared user id.
    BootProc user_id[] = {{10, "init", true, sys_priv()}};
    EXPECT_EQ(kernel_init(user_id, 1), -EINVAL);
}

TEST(ProcSmoke, BootPrivileges) {
    boot({{1, "full"}, {3, "basic", true, BootPriv{SYS_PROC, 1u << SENDREC, false, false, NONE}}});
    const Priv& full = priv_of(1);
    EXPECT_TRUE(full.s_ipc_to.test(static_priv_id(3)));
    EXPECT_TRUE(full.s_k_call_mask.test(SYS_UPDATE - KERNEL_CALL));
    const Priv& basic = priv_of(3);
    EXPECT_FALSE(basic.s_ipc_to.any());
    EXPECT_EQ(basic.s_trap_mask, 1u << SENDREC);
    EXPECT_EQ(basic.s_sig_mgr, NONE);
    EXPECT_TRUE(basic.s_k_call_mask.test(SYS_EXIT - KERNEL_CALL));
    EXPECT_TRUE(basic.s_k_call_mask.test(SYS_DIAGCTL - KERNEL_CALL));
    EXPECT_FALSE(basic.s_k_call_mask.test(SYS_PRIVCTL - KERNEL_CALL));
    EXPECT_FALSE(basic.s_k_call_mask.test(SYS_UPDATE - KERNEL_CALL));
}

TEST(ProcSmoke, RtsTransitionsTellTheArch) {
    boot_sys(1);
    Proc& p = proc(0);
    const int ready = p.p_arch.ready_calls;
    rts_set(p, RTS_SENDING);
    EXPECT_EQ(p.p_arch.unready_calls, 1);
    rts_set(p, RTS_PROC_STOP);  // already not runnable: no second call
    EXPECT_EQ(p.p_arch.unready_calls, 1);
    rts_unset(p, RTS_SENDING);
    EXPECT_EQ(p.p_arch.ready_calls, ready);
    rts_unset(p, RTS_PROC_STOP);
    EXPECT_EQ(p.p_arch.ready_calls, ready + 1);
    rts_unset(p, RTS_PROC_STOP);  // already runnable
    EXPECT_EQ(p.p_arch.ready_calls, ready + 1);
}

TEST(ProcSmoke, StaleEndpointAfterSlotReuse) {
    boot_sys(1);
    Proc& a = spawn_sys("first");
    const endpoint_t old_ep = a.p_endpoint;
    const proc_nr_t slot = a.p_nr;
    EXPECT_EQ(endpoint_lookup(old_ep), &a);
    proc_free_slot(a);
    EXPECT_EQ(a.p_arch.destroy_calls, 1);
    EXPECT_EQ(endpoint_lookup(old_ep), nullptr);
    Proc& b = spawn_sys("second");
    EXPECT_EQ(b.p_nr, slot);          // the same slot ...
    EXPECT_NE(b.p_endpoint, old_ep);  // ... under a new endpoint
    EXPECT_EQ(endpoint_slot(b.p_endpoint), slot);
    EXPECT_EQ(endpoint_lookup(old_ep), nullptr);
    EXPECT_EQ(endpoint_lookup(b.p_endpoint), &b);
    proc_nr_t s = -99;
    EXPECT_FALSE(isokendpt(old_ep, &s));
    EXPECT_TRUE(isokendpt(b.p_endpoint, &s));
    EXPECT_EQ(s, slot);
    for (endpoint_t magic : {ANY, NONE, SELF}) EXPECT_FALSE(isokendpt(magic, &s));
}

TEST(ProcSmoke, PrivAllocation) {
    boot_sys(1);
    EXPECT_EQ(priv_alloc(static_priv_id(0), false), nullptr);   // taken by p0
    EXPECT_EQ(priv_alloc(USER_PRIV_ID, false), nullptr);        // the shared user record
    EXPECT_EQ(priv_alloc(NR_STATIC_PRIV_IDS, false), nullptr);  // not a static id
    Priv* s = priv_alloc(static_priv_id(5), false);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(priv_by_id(static_priv_id(5)), s);
    Priv* d = priv_alloc(0, true);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->s_id, NR_STATIC_PRIV_IDS);
    EXPECT_TRUE(d->s_flags & DYN_PRIV_ID);
    priv_set_sys_defaults(*d, 7);
    EXPECT_EQ(d->s_flags, SYS_PROC | PREEMPTIBLE | DYN_PRIV_ID);
    EXPECT_FALSE(d->s_ipc_to.test(USER_PRIV_ID));
    EXPECT_TRUE(d->s_ipc_to.test(static_priv_id(0)));
    EXPECT_EQ(d->s_sig_mgr, 7);
    priv_free(*d);
    EXPECT_EQ(priv_by_id(NR_STATIC_PRIV_IDS), nullptr);
    EXPECT_EQ(priv_alloc(0, true), d);  // the freed id comes back first
    int n = 1;
    while (priv_alloc(0, true)) ++n;
    EXPECT_EQ(n, NR_SYS_PROCS - NR_STATIC_PRIV_IDS);
    EXPECT_NE(user_priv(), nullptr);
    EXPECT_EQ(user_priv()->s_id, USER_PRIV_ID);
    EXPECT_EQ(priv_by_id(USER_PRIV_ID), user_priv());
}

}  // namespace
}  // namespace umk
