// proc_started: a process created by SYS_SPAWN reaches its first trap; its
// spawner learns it through SIGKSTART. And SYS_GETINFO GET_PROCINFO, which
// is how the spawner reads MF_STARTED for one process.
#include <gtest/gtest.h>

#include "calls_harness.h"

namespace umk {
namespace {

using namespace umk::test;

endpoint_t spawn_test(Proc& caller) {
    const char prog[] = "test";
    write_mem(caller, mem_addr(0x100), prog, sizeof prog);
    message m{};
    m.SPAWN_PROG = mem_addr(0x100);
    m.SPAWN_PROG_LEN = 4;
    message reply{};
    EXPECT_EQ(kc(caller, SYS_SPAWN, m, &reply), OK);
    return reply.SPAWN_ENDPT;
}

// The SIGKSTART notifications p has got so far (cumulative): p collects
// whatever is pending and is left blocked in RECEIVE, so a later one is
// delivered at once.
int collect_kstart(Proc& p) {
    while (!in_trap(p)) {
        const int before = p.p_arch.delivered;
        receive(p, ANY);
        if (p.p_arch.delivered == before) break;  // blocked: nothing was pending
    }
    int n = 0;
    const int first = p.p_arch.delivered > FAKE_MSG_LOG ? p.p_arch.delivered - FAKE_MSG_LOG : 0;
    for (int i = first; i < p.p_arch.delivered; ++i) {
        const message& m = p.p_arch.msgs[i % FAKE_MSG_LOG];
        if (m.m_source == SYSTEM && m.m_type == notify_from(SYSTEM) &&
            sig_has(static_cast<sigset_t_>(m.NOTIFY_ARG), SIGKSTART))
            ++n;
    }
    return n;
}

TEST(ProcStarted, SpawnerGetsSigkstartOnce) {
    boot_managed();
    const endpoint_t e = spawn_test(proc(RS));
    Proc* p = endpoint_lookup(e);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->p_spawner, ep(RS));
    EXPECT_FALSE(p->p_misc_flags & MF_STARTED);
    EXPECT_EQ(collect_kstart(proc(RS)), 0);

    proc_started(*p);
    EXPECT_TRUE(p->p_misc_flags & MF_STARTED);
    EXPECT_EQ(p->p_rts_flags, RTS_NO_PRIV);  // still waits for its privileges
    EXPECT_EQ(collect_kstart(proc(RS)), 1);

    // Only the first trap counts.
    proc_started(*p);
    EXPECT_EQ(collect_kstart(proc(RS)), 1);
    EXPECT_TRUE(p->p_misc_flags & MF_STARTED);
}

TEST(ProcStarted, OnlyTheSpawnerIsTold) {
    boot_managed();
    const endpoint_t e = spawn_test(proc(PM));
    proc_started(*endpoint_lookup(e));
    EXPECT_EQ(collect_kstart(proc(RS)), 0);
    EXPECT_EQ(collect_kstart(proc(PM)), 1);
}

TEST(ProcStarted, DeadSpawnerIsFine) {
    boot_managed();
    Proc& spawner = spawn_sys("spawner");
    const endpoint_t e = spawn_test(spawner);
    Proc* p = endpoint_lookup(e);
    ASSERT_NE(p, nullptr);
    const proc_nr_t old_slot = spawner.p_nr;
    proc_free_slot(spawner);
    // The slot is reused by a newcomer with another generation: not told.
    Proc& heir = spawn_sys("heir");
    ASSERT_EQ(heir.p_nr, old_slot);
    proc_started(*p);
    EXPECT_TRUE(p->p_misc_flags & MF_STARTED);
    EXPECT_EQ(collect_kstart(heir), 0);
    EXPECT_EQ(kernel_log(), "");
}

TEST(ProcStarted, BootProcessHasNoSpawner) {
    boot_managed();
    EXPECT_EQ(proc(SVC).p_spawner, NONE);
    proc_started(proc(SVC));
    EXPECT_TRUE(proc(SVC).p_misc_flags & MF_STARTED);
    EXPECT_EQ(collect_kstart(proc(RS)), 0);
    EXPECT_EQ(collect_kstart(proc(SVC)), 0);
}

TEST(ProcStarted, FreeSlotIsIgnored) {
    boot_managed();
    Proc& s = proc(15);
    ASSERT_TRUE(proc_is_free(s));
    proc_started(s);
    EXPECT_FALSE(s.p_misc_flags & MF_STARTED);
}

TEST(ProcStarted, SlotReuseForgetsStartAndSpawner) {
    boot_managed();
    const endpoint_t e = spawn_test(proc(RS));
    Proc* p = endpoint_lookup(e);
    ASSERT_NE(p, nullptr);
    proc_started(*p);
    EXPECT_EQ(collect_kstart(proc(RS)), 1);
    proc_free_slot(*p);
    EXPECT_EQ(p->p_spawner, NONE);
    const endpoint_t e2 = spawn_test(proc(PM));
    Proc* p2 = endpoint_lookup(e2);
    ASSERT_EQ(p2, p);  // the same slot, a new process
    EXPECT_FALSE(p2->p_misc_flags & MF_STARTED);
    proc_started(*p2);
    EXPECT_EQ(collect_kstart(proc(PM)), 1);
    EXPECT_EQ(collect_kstart(proc(RS)), 1);
}

// ---- GET_PROCINFO ----

message procinfo_msg(endpoint_t e, vir_bytes ptr, int len) {
    message m{};
    m.I_REQUEST = GET_PROCINFO;
    m.I_ENDPT = e;
    m.I_VAL_PTR = ptr;
    m.I_VAL_LEN = len;
    return m;
}

TEST(CallsGetinfo, ProcinfoOfOneProcess) {
    boot_managed();
    const endpoint_t e = spawn_test(proc(RS));
    ASSERT_EQ(kc(proc(RS), SYS_GETINFO, procinfo_msg(e, mem_addr(0), sizeof(proc_info))), OK);
    proc_info pi = read_obj<proc_info>(proc(RS), mem_addr(0));
    EXPECT_EQ(pi.endpoint, e);
    EXPECT_STREQ(pi.name, "test");
    EXPECT_EQ(pi.rts_flags, RTS_NO_PRIV);
    EXPECT_FALSE(pi.misc_flags & MF_STARTED);

    proc_started(*endpoint_lookup(e));
    ASSERT_EQ(kc(proc(RS), SYS_GETINFO, procinfo_msg(e, mem_addr(0), sizeof(proc_info))), OK);
    pi = read_obj<proc_info>(proc(RS), mem_addr(0));
    EXPECT_TRUE(pi.misc_flags & MF_STARTED);

    ASSERT_EQ(kc(proc(SVC), SYS_GETINFO, procinfo_msg(SELF, mem_addr(0), 4096)), OK);
    pi = read_obj<proc_info>(proc(SVC), mem_addr(0));
    EXPECT_EQ(pi.endpoint, ep(SVC));
    EXPECT_EQ(pi.sig_mgr, ep(RS));
}

TEST(CallsGetinfo, ProcinfoErrors) {
    boot_managed();
    const int len = sizeof(proc_info);
    EXPECT_EQ(kc(proc(RS), SYS_GETINFO, procinfo_msg(ep(SVC), mem_addr(0), len - 1)), -EINVAL);
    EXPECT_EQ(kc(proc(RS), SYS_GETINFO, procinfo_msg(ep(15), mem_addr(0), len)), -EINVAL);
    EXPECT_EQ(kc(proc(RS), SYS_GETINFO, procinfo_msg(ep(SVC), 0x10, len)), -EFAULT);
}

}  // namespace
}  // namespace umk
