// SYS_TIMES, SYS_GETINFO, SYS_RUNCTL, SYS_DIAGCTL, SYS_SPAWN.
#include <cstring>

#include "calls_harness.h"

namespace umk {
namespace {

using namespace test;

// ---- SYS_TIMES ----

TEST(CallsTimes, UserTimeAndUptime) {
    boot_managed();
    for (int i = 0; i < 4; ++i) clock_tick();
    proc(SVC2).p_user_time = 12;
    message m{};
    m.T_ENDPT = ep(SVC2);
    message reply{};
    EXPECT_EQ(kc(proc(SVC), SYS_TIMES, m, &reply), OK);
    EXPECT_EQ(reply.T_USER_TIME, 12u);
    EXPECT_EQ(reply.T_BOOT_TICKS, 4);
    EXPECT_EQ(reply.T_REAL_TICKS, 4);
    m.T_ENDPT = make_endpoint(9, SVC2);
    EXPECT_EQ(kc(proc(SVC), SYS_TIMES, m), -EINVAL);
}

// ---- SYS_GETINFO ----

message getinfo_msg(int request, vir_bytes ptr = 0, int len = 0) {
    message m{};
    m.I_REQUEST = request;
    m.I_VAL_PTR = ptr;
    m.I_VAL_LEN = len;
    return m;
}

TEST(CallsGetinfo, Whoami) {
    boot_managed();
    message reply{};
    EXPECT_EQ(kc(proc(SVC2), SYS_GETINFO, getinfo_msg(GET_WHOAMI), &reply), OK);
    EXPECT_EQ(reply.m3_i1, ep(SVC2));
    EXPECT_EQ(static_cast<std::uint32_t>(reply.m3_i2), priv_of(SVC2).s_flags);
    EXPECT_STREQ(reply.m3_ca1, "svc2");
}

TEST(CallsGetinfo, Uptime) {
    boot_managed();
    clock_tick();
    clock_tick();
    message reply{};
    EXPECT_EQ(kc(proc(SVC), SYS_GETINFO, getinfo_msg(GET_UPTIME), &reply), OK);
    EXPECT_EQ(reply.m2_l1, 2);
    EXPECT_EQ(reply.m2_i1, HZ);
}

TEST(CallsGetinfo, Proctab) {
    boot_managed();
    constexpr int n = 20;  // kernel tasks + slots 0..15
    message reply{};
    EXPECT_EQ(kc(proc(SVC), SYS_GETINFO,
                 getinfo_msg(GET_PROCTAB, mem_addr(0), n * sizeof(proc_info)), &reply),
              OK);
    EXPECT_EQ(reply.I_VAL_LEN, NR_TASKS + NR_PROCS);
    proc_info t[n];
    read_mem(proc(SVC), mem_addr(0), t, sizeof t);
    EXPECT_EQ(t[0].endpoint, IDLE);
    EXPECT_STREQ(t[NR_TASKS + SYSTEM].name, "system");
    const proc_info& svc = t[NR_TASKS + SVC];
    EXPECT_EQ(svc.endpoint, ep(SVC));
    EXPECT_EQ(svc.slot, SVC);
    EXPECT_STREQ(svc.name, "svc");
    EXPECT_EQ(svc.sig_mgr, ep(RS));
    EXPECT_EQ(svc.priv_flags, priv_of(SVC).s_flags);
    EXPECT_EQ(svc.priv_id, priv_of(SVC).s_id);
    EXPECT_EQ(svc.rts_flags, proc(SVC).p_rts_flags);
    EXPECT_TRUE(t[NR_TASKS + 15].rts_flags & RTS_SLOT_FREE);
    EXPECT_EQ(t[NR_TASKS + 15].priv_id, -1);
    // Only whole entries that fit: entry n was not written.
    proc_info after{};
    read_mem(proc(SVC), mem_addr(n * sizeof(proc_info)), &after, sizeof after);
    EXPECT_EQ(after.endpoint, 0);
}

TEST(CallsGetinfo, Errors) {
    boot_managed();
    EXPECT_EQ(kc(proc(SVC), SYS_GETINFO, getinfo_msg(GET_PRIVTAB, mem_addr(0), 4096)), -EINVAL);
    EXPECT_EQ(kc(proc(SVC), SYS_GETINFO, getinfo_msg(77)), -EINVAL);
    EXPECT_EQ(kc(proc(SVC), SYS_GETINFO, getinfo_msg(GET_PROCTAB, mem_addr(0), 10)), -EINVAL);
    EXPECT_EQ(kc(proc(SVC), SYS_GETINFO, getinfo_msg(GET_PROCTAB, 0x10, 4096)), -EFAULT);
}

// ---- SYS_RUNCTL ----

int runctl(Proc& caller, endpoint_t e, int action, int flags = 0) {
    message m{};
    m.RC_ENDPT = e;
    m.RC_ACTION = action;
    m.RC_FLAGS = flags;
    return kc(caller, SYS_RUNCTL, m);
}

TEST(CallsRunctl, StopAndResume) {
    boot_managed();
    EXPECT_EQ(runctl(proc(RS), ep(SVC), RC_STOP), OK);
    EXPECT_EQ(proc(SVC).p_rts_flags, RTS_PROC_STOP);
    EXPECT_GE(proc(SVC).p_arch.unready_calls, 1);
    EXPECT_EQ(runctl(proc(RS), ep(SVC), RC_RESUME), OK);
    EXPECT_EQ(proc(SVC).p_rts_flags, 0u);
    // RC_DELAY on a process that is not sending stops it at once.
    EXPECT_EQ(runctl(proc(RS), ep(SVC), RC_STOP, RC_DELAY), OK);
    EXPECT_EQ(proc(SVC).p_rts_flags, RTS_PROC_STOP);
}

TEST(CallsRunctl, DelayedStopOfASender) {
    boot_managed();
    ASSERT_EQ(send(proc(SVC), ep(SVC2), make_msg(5)), BLOCKED);
    EXPECT_EQ(runctl(proc(PM), ep(SVC), RC_STOP, RC_DELAY), -EBUSY);
    EXPECT_TRUE(proc(SVC).p_misc_flags & MF_SIG_DELAY);
    EXPECT_FALSE(proc(SVC).p_rts_flags & RTS_PROC_STOP);
    // The send completes: its manager (RS) hears SIGKNDELAY.
    EXPECT_EQ(receive(proc(SVC2), ANY), OK);
    EXPECT_FALSE(proc(SVC).p_misc_flags & MF_SIG_DELAY);
    EXPECT_EQ(proc(SVC).p_pending, sig_bit(SIGKNDELAY));
    EXPECT_EQ(priv_of(RS).s_sig_pending, sig_bit(SIGKSIG));
}

TEST(CallsRunctl, Errors) {
    boot_managed();
    EXPECT_EQ(runctl(proc(RS), make_endpoint(2, 33), RC_STOP), -EINVAL);
    EXPECT_EQ(runctl(proc(RS), CLOCK, RC_STOP), -EPERM);
    EXPECT_EQ(runctl(proc(RS), ep(SVC), 7), -EINVAL);
    EXPECT_EQ(proc(SVC).p_rts_flags, 0u);
}

// ---- SYS_DIAGCTL ----

int diag(Proc& p, int code, vir_bytes buf, int len) {
    message m{};
    m.DIAG_CODE = code;
    m.DIAG_BUF = buf;
    m.DIAG_LEN = len;
    return kc(p, SYS_DIAGCTL, m);
}

TEST(CallsDiagctl, WritesToTheKernelLog) {
    boot_managed();
    write_mem(proc(SVC), mem_addr(0x10), "svc: hello\n", 11);
    EXPECT_EQ(diag(proc(SVC), DIAGCTL_CODE_DIAG, mem_addr(0x10), 11), OK);
    EXPECT_EQ(kernel_log(), "[svc] svc: hello\n") << "labelled with its source";
}

TEST(CallsDiagctl, Errors) {
    boot_managed();
    EXPECT_EQ(diag(proc(SVC), DIAGCTL_CODE_DIAG, mem_addr(0), 0), -EINVAL);
    EXPECT_EQ(diag(proc(SVC), DIAGCTL_CODE_DIAG, mem_addr(0), DIAG_BUF_MAX + 1), -EINVAL);
    EXPECT_EQ(diag(proc(SVC), DIAGCTL_CODE_DIAG, mem_addr(0), -5), -EINVAL);
    EXPECT_EQ(diag(proc(SVC), 2, mem_addr(0), 4), -EINVAL);
    EXPECT_EQ(diag(proc(SVC), DIAGCTL_CODE_DIAG, 0x10, 4), -EFAULT);
    EXPECT_EQ(kernel_log(), "");
    const std::string most(DIAG_BUF_MAX, 'x');
    write_mem(proc(SVC), mem_addr(0), most.data(), most.size());
    EXPECT_EQ(diag(proc(SVC), DIAGCTL_CODE_DIAG, mem_addr(0), DIAG_BUF_MAX), OK);
    EXPECT_EQ(kernel_log(), "[svc] " + most);
}

// ---- SYS_SPAWN ----

int spawn(Proc& caller, const char* program, const char* args, int args_len,
          endpoint_t* out = nullptr, int prog_len = -1) {
    const int plen = prog_len >= 0 ? prog_len : static_cast<int>(std::strlen(program));
    write_mem(caller, mem_addr(0x100), program, std::strlen(program) + 1);
    if (args_len > 0) write_mem(caller, mem_addr(0x400), args, static_cast<std::size_t>(args_len));
    message m{};
    m.SPAWN_PROG = mem_addr(0x100);
    m.SPAWN_PROG_LEN = plen;
    m.SPAWN_ARGS = mem_addr(0x400);
    m.SPAWN_ARGS_LEN = args_len;
    message reply{};
    const int r = kc(caller, SYS_SPAWN, m, &reply);
    if (out) *out = reply.SPAWN_ENDPT;
    return r;
}

int free_slots() {
    int n = 0;
    for (proc_nr_t s = 0; s < NR_PROCS; ++s) n += proc_is_free(proc(s));
    return n;
}

TEST(CallsSpawn, CreatesAHeldProcess) {
    boot_managed();
    fake::add_program("/sbin/hello");
    endpoint_t e = NONE;
    ASSERT_EQ(spawn(proc(RS), "/sbin/hello", "hello\0-v\0", 9, &e), OK);
    Proc* p = endpoint_lookup(e);
    ASSERT_NE(p, nullptr);
    EXPECT_STREQ(p->p_name, "hello");
    EXPECT_EQ(p->p_rts_flags, RTS_NO_PRIV);
    EXPECT_EQ(p->p_priv, nullptr);
    EXPECT_STREQ(p->p_arch.program, "/sbin/hello");
    EXPECT_EQ(p->p_arch.args_len, 9u);
    EXPECT_EQ(std::memcmp(p->p_arch.args, "hello\0-v\0", 9), 0);
    EXPECT_EQ(p->p_arch.ready_calls, 0);
}

TEST(CallsSpawn, NameIsTheTruncatedBasename) {
    boot_managed();
    fake::add_program("dir/a_very_long_program_name");
    endpoint_t e = NONE;
    EXPECT_EQ(spawn(proc(RS), "dir/a_very_long_program_name", "", 0, &e), OK);
    ASSERT_NE(endpoint_lookup(e), nullptr);
    EXPECT_STREQ(endpoint_lookup(e)->p_name, "a_very_long_pro");
    // A trailing NUL counted in the length is fine.
    EXPECT_EQ(spawn(proc(RS), "test", "", 0, &e, 5), OK);
    EXPECT_STREQ(endpoint_lookup(e)->p_name, "test");
}

TEST(CallsSpawn, ArchFailureUndoesEverything) {
    boot_managed();
    const int before = free_slots();
    EXPECT_EQ(spawn(proc(RS), "no-such-program", "", 0), -ENOENT);
    EXPECT_EQ(spawn(proc(RS), "noexec", "", 0), -ENOEXEC);
    EXPECT_EQ(free_slots(), before);
}

TEST(CallsSpawn, NoFreeSlotIsEnomem) {
    boot_managed();
    while (Proc* p = proc_alloc_slot()) p->p_rts_flags = RTS_NO_PRIV;
    EXPECT_EQ(spawn(proc(RS), "test", "", 0), -ENOMEM);
}

TEST(CallsSpawn, BadRequests) {
    boot_managed();
    const int before = free_slots();
    EXPECT_EQ(spawn(proc(RS), "test", "", 0, nullptr, 0), -EINVAL);
    EXPECT_EQ(spawn(proc(RS), "test", "", 0, nullptr, 1025), -EINVAL);
    EXPECT_EQ(spawn(proc(RS), "test", "", -1), -EINVAL);
    message m{};
    m.SPAWN_PROG = mem_addr(0x100);
    m.SPAWN_PROG_LEN = 4;
    m.SPAWN_ARGS_LEN = 5000;
    EXPECT_EQ(kc(proc(RS), SYS_SPAWN, m), -E2BIG);
    m.SPAWN_ARGS_LEN = 0;
    m.SPAWN_PROG = 0x20;
    EXPECT_EQ(kc(proc(RS), SYS_SPAWN, m), -EFAULT);
    m.SPAWN_PROG = mem_addr(0x100);
    m.SPAWN_ARGS = 0x20;
    m.SPAWN_ARGS_LEN = 3;
    EXPECT_EQ(kc(proc(RS), SYS_SPAWN, m), -EFAULT);
    EXPECT_EQ(free_slots(), before);
}

}  // namespace
}  // namespace umk
