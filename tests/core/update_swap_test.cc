// SYS_UPDATE: what stays with the slot, what moves with the image, and
// rollback (the same update again) restoring everything.
#include <cstring>

#include "update_harness.h"

namespace umk {
namespace {

using namespace test;

// Unused flag bits, to tell the images apart.
constexpr std::uint32_t MF_MARK_OLD = 0x200, MF_MARK_NEW = 0x400;

// Give every field of OLD and NEW a distinct value (both at a safe point).
void decorate() {
    Proc& o = proc(OLD);
    Proc& n = proc(NEW);
    ASSERT_EQ(receive(o, ep(RS)), BLOCKED);
    o.p_misc_flags |= MF_MARK_OLD;
    n.p_misc_flags |= MF_MARK_NEW;
    o.p_pending = sig_bit(SIGUSR1);
    n.p_pending = sig_bit(SIGUSR2);
    o.p_user_time = 111;
    n.p_user_time = 222;
    o.p_sendmsg = make_msg(1001);
    n.p_sendmsg = make_msg(2001);
    o.p_delivermsg = make_msg(1002);
    n.p_delivermsg = make_msg(2002);
    o.p_retval = -1003;
    n.p_retval = -2003;
    o.p_arch.mem[0] = 'o';
    n.p_arch.mem[0] = 'n';

    Priv& po = priv_of(OLD);
    Priv& pn = priv_of(NEW);
    po.s_trap_mask = 0x11;
    pn.s_trap_mask = 0x22;
    po.s_k_call_mask.reset(SYS_TIMES - KERNEL_CALL);
    pn.s_k_call_mask.reset(SYS_KILL - KERNEL_CALL);
    po.s_ipc_to.reset(priv_of(CLIENT).s_id);
    pn.s_ipc_to.reset(priv_of(CLIENT2).s_id);
    po.s_sig_mgr = ep(RS);
    pn.s_sig_mgr = ep(PM);
    po.s_grant_table = mem_addr(0x100);
    po.s_grant_entries = 4;
    pn.s_grant_table = mem_addr(0x200);
    pn.s_grant_entries = 8;
    po.s_nr_irq = 1;
    pn.s_nr_irq = 2;
    po.s_notify_pending.set(priv_of(CLIENT).s_id);
    pn.s_notify_pending.set(priv_of(CLIENT2).s_id);
    po.s_int_pending = 0x1;
    pn.s_int_pending = 0x2;
    po.s_sig_pending = sig_bit(SIGKMESS);
    pn.s_sig_pending = sig_bit(SIGKMEM);
    po.s_alarm_timer.exp_time = 50;
    pn.s_alarm_timer.exp_time = 60;
}

// Everything of one slot, to compare before/after a rollback.
struct Snapshot {
    Proc p;
    Priv pr;
};
Snapshot snap(proc_nr_t s) {
    return Snapshot{proc(s), priv_of(s)};
}

void expect_same(const Snapshot& a, const Snapshot& b) {
    EXPECT_EQ(a.p.p_endpoint, b.p.p_endpoint);
    EXPECT_EQ(a.p.p_nr, b.p.p_nr);
    EXPECT_EQ(a.p.p_priv, b.p.p_priv);
    EXPECT_EQ(a.p.p_rts_flags, b.p.p_rts_flags);
    EXPECT_EQ(a.p.p_misc_flags, b.p.p_misc_flags);
    EXPECT_STREQ(a.p.p_name, b.p.p_name);
    EXPECT_EQ(a.p.p_sendto_e, b.p.p_sendto_e);
    EXPECT_EQ(a.p.p_getfrom_e, b.p.p_getfrom_e);
    EXPECT_EQ(std::memcmp(&a.p.p_sendmsg, &b.p.p_sendmsg, sizeof(message)), 0);
    EXPECT_EQ(std::memcmp(&a.p.p_delivermsg, &b.p.p_delivermsg, sizeof(message)), 0);
    EXPECT_EQ(a.p.p_retval, b.p.p_retval);
    EXPECT_EQ(a.p.p_caller_q, b.p.p_caller_q);
    EXPECT_EQ(a.p.p_q_link, b.p.p_q_link);
    EXPECT_EQ(a.p.p_pending, b.p.p_pending);
    EXPECT_EQ(a.p.p_user_time, b.p.p_user_time);
    EXPECT_EQ(std::memcmp(a.p.p_arch.mem, b.p.p_arch.mem, sizeof a.p.p_arch.mem), 0);
    EXPECT_EQ(a.pr.s_proc_nr, b.pr.s_proc_nr);
    EXPECT_EQ(a.pr.s_id, b.pr.s_id);
    EXPECT_EQ(a.pr.s_flags, b.pr.s_flags);
    EXPECT_EQ(a.pr.s_asyntab, b.pr.s_asyntab);
    EXPECT_EQ(a.pr.s_asynsize, b.pr.s_asynsize);
    EXPECT_EQ(a.pr.s_asynendpoint, b.pr.s_asynendpoint);
    EXPECT_EQ(a.pr.s_trap_mask, b.pr.s_trap_mask);
    EXPECT_EQ(std::memcmp(&a.pr.s_ipc_to, &b.pr.s_ipc_to, sizeof a.pr.s_ipc_to), 0);
    EXPECT_EQ(std::memcmp(&a.pr.s_k_call_mask, &b.pr.s_k_call_mask, sizeof a.pr.s_k_call_mask), 0);
    EXPECT_EQ(a.pr.s_sig_mgr, b.pr.s_sig_mgr);
    EXPECT_EQ(
        std::memcmp(&a.pr.s_notify_pending, &b.pr.s_notify_pending, sizeof a.pr.s_notify_pending),
        0);
    EXPECT_EQ(a.pr.s_int_pending, b.pr.s_int_pending);
    EXPECT_EQ(a.pr.s_sig_pending, b.pr.s_sig_pending);
    EXPECT_EQ(a.pr.s_alarm_timer.exp_time, b.pr.s_alarm_timer.exp_time);
    EXPECT_EQ(a.pr.s_alarm_timer.next, b.pr.s_alarm_timer.next);
    EXPECT_EQ(a.pr.s_grant_table, b.pr.s_grant_table);
    EXPECT_EQ(a.pr.s_grant_entries, b.pr.s_grant_entries);
    EXPECT_EQ(a.pr.s_nr_irq, b.pr.s_nr_irq);
}

TEST(UpdateSwap, IdentityStaysImageMoves) {
    boot_update();
    decorate();
    const Snapshot o = snap(OLD), n = snap(NEW);
    ASSERT_EQ(update(ep(OLD), ep(NEW)), OK);
    const Proc& a = proc(OLD);  // slot OLD now runs the new image
    const Proc& b = proc(NEW);
    const Priv& pa = priv_of(OLD);
    const Priv& pb = priv_of(NEW);

    // Kept with the slot.
    EXPECT_EQ(a.p_endpoint, o.p.p_endpoint);
    EXPECT_EQ(b.p_endpoint, n.p.p_endpoint);
    EXPECT_EQ(a.p_nr, OLD);
    EXPECT_EQ(b.p_nr, NEW);
    EXPECT_EQ(a.p_priv, o.p.p_priv);
    EXPECT_EQ(b.p_priv, n.p.p_priv);
    EXPECT_EQ(pa.s_proc_nr, OLD);
    EXPECT_EQ(pb.s_proc_nr, NEW);
    EXPECT_EQ(pa.s_id, o.pr.s_id);
    EXPECT_EQ(pb.s_id, n.pr.s_id);
    EXPECT_TRUE(pa.s_notify_pending.test(priv_of(CLIENT).s_id));
    EXPECT_FALSE(pa.s_notify_pending.test(priv_of(CLIENT2).s_id));
    EXPECT_EQ(pa.s_int_pending, 0x1u);
    EXPECT_EQ(pb.s_int_pending, 0x2u);
    EXPECT_EQ(pa.s_sig_pending, sig_bit(SIGKMESS));
    EXPECT_EQ(pb.s_sig_pending, sig_bit(SIGKMEM));
    EXPECT_EQ(pa.s_alarm_timer.exp_time, 50u);
    EXPECT_EQ(pb.s_alarm_timer.exp_time, 60u);

    // Moved with the image.
    EXPECT_EQ(a.p_rts_flags, n.p.p_rts_flags);
    EXPECT_EQ(b.p_rts_flags, o.p.p_rts_flags);
    EXPECT_TRUE(a.p_misc_flags & MF_MARK_NEW);
    EXPECT_TRUE(b.p_misc_flags & MF_MARK_OLD);
    EXPECT_STREQ(a.p_name, "svc_new");
    EXPECT_STREQ(b.p_name, "svc");
    EXPECT_EQ(b.p_getfrom_e, ep(RS));
    EXPECT_EQ(a.p_sendmsg.m_type, 2001);
    EXPECT_EQ(b.p_sendmsg.m_type, 1001);
    EXPECT_EQ(a.p_delivermsg.m_type, 2002);
    EXPECT_EQ(b.p_delivermsg.m_type, 1002);
    EXPECT_EQ(a.p_retval, -2003);
    EXPECT_EQ(b.p_retval, -1003);
    EXPECT_EQ(a.p_pending, sig_bit(SIGUSR2));
    EXPECT_EQ(b.p_pending, sig_bit(SIGUSR1));
    EXPECT_EQ(a.p_user_time, 222u);
    EXPECT_EQ(b.p_user_time, 111u);
    EXPECT_EQ(a.p_arch.mem[0], 'n');
    EXPECT_EQ(b.p_arch.mem[0], 'o');
    EXPECT_EQ(pa.s_trap_mask, 0x22u);
    EXPECT_EQ(pb.s_trap_mask, 0x11u);
    EXPECT_TRUE(pa.s_k_call_mask.test(SYS_TIMES - KERNEL_CALL));
    EXPECT_FALSE(pa.s_k_call_mask.test(SYS_KILL - KERNEL_CALL));
    EXPECT_TRUE(pa.s_ipc_to.test(priv_of(CLIENT).s_id));
    EXPECT_FALSE(pa.s_ipc_to.test(priv_of(CLIENT2).s_id));
    EXPECT_EQ(pa.s_sig_mgr, ep(PM));
    EXPECT_EQ(pb.s_sig_mgr, ep(RS));
    EXPECT_EQ(pa.s_grant_table, mem_addr(0x200));
    EXPECT_EQ(pa.s_grant_entries, 8);
    EXPECT_EQ(pb.s_grant_table, mem_addr(0x100));
    EXPECT_EQ(pa.s_nr_irq, 2);
    EXPECT_EQ(pb.s_nr_irq, 1);
    EXPECT_EQ(pa.s_flags, n.pr.s_flags);

    // The arch heard about it.
    EXPECT_EQ(a.p_arch.swapped_calls, 1);
    EXPECT_EQ(b.p_arch.swapped_calls, 1);
}

TEST(UpdateSwap, RollbackRestoresEverything) {
    boot_update();
    decorate();
    ASSERT_EQ(send(proc(CLIENT), ep(OLD), make_msg(7)), BLOCKED);
    ASSERT_EQ(notify(proc(CLIENT2), ep(OLD)), OK);
    const Snapshot o = snap(OLD), n = snap(NEW);
    ASSERT_EQ(update(ep(OLD), ep(NEW)), OK);
    ASSERT_EQ(update(ep(OLD), ep(NEW), SYS_UPD_ROLLBACK), OK);
    Snapshot o2 = snap(OLD), n2 = snap(NEW);
    // The arch's counters are the only thing allowed to differ.
    o2.p.p_arch.swapped_calls = o.p.p_arch.swapped_calls;
    n2.p.p_arch.swapped_calls = n.p.p_arch.swapped_calls;
    {
        SCOPED_TRACE("slot OLD");
        expect_same(o, o2);
    }
    {
        SCOPED_TRACE("slot NEW");
        expect_same(n, n2);
    }
    EXPECT_EQ(proc(OLD).p_arch.swapped_calls, 2);
    // And it still works: the old version gets what was queued for it, once.
    priv_of(OLD).s_trap_mask = ~0u;
    proc(OLD).p_getfrom_e = NONE;
    rts_unset(proc(OLD), RTS_RECEIVING);
    EXPECT_EQ(receive(proc(OLD), ANY), OK);
    EXPECT_EQ(last_msg(proc(OLD)).m_source, ep(CLIENT));  // decorate()'s notification
    EXPECT_EQ(last_msg(proc(OLD)).m_type, notify_from(CLIENT));
    EXPECT_EQ(receive(proc(OLD), ANY), OK);
    EXPECT_EQ(last_msg(proc(OLD)).m_source, ep(CLIENT2));
    EXPECT_EQ(receive(proc(OLD), ANY), OK);
    EXPECT_EQ(last_msg(proc(OLD)).m_type, 7);
    EXPECT_EQ(result(proc(CLIENT)), OK);
    EXPECT_EQ(receive(proc(OLD), ANY), BLOCKED);
}

TEST(UpdateSwap, AlarmStaysWithTheEndpoint) {
    boot_update();
    // The old version sets an alarm, then waits for the update.
    message m{};
    m.ALRM_EXP_TIME = 3;
    ASSERT_EQ(kc(proc(OLD), SYS_SETALARM, m), OK);
    ASSERT_EQ(receive(proc(OLD), ep(RS)), BLOCKED);
    ASSERT_EQ(update(ep(OLD), ep(NEW)), OK);
    // The new image in slot OLD is let run and waits.
    ASSERT_EQ(kc(proc(RS), SYS_PRIVCTL, privctl_msg(ep(OLD), SYS_PRIV_ALLOW)), OK);
    ASSERT_EQ(receive(proc(OLD), ANY), BLOCKED);
    for (int i = 0; i < 3; ++i) clock_tick();
    EXPECT_EQ(count_notifies(proc(OLD), CLOCK), 1);  // the new image, same endpoint
    EXPECT_EQ(count_notifies(proc(NEW), CLOCK), 0);
}

}  // namespace
}  // namespace umk
