// IPC and kernel-call wrappers: what each puts in the message, and what it
// takes from the reply.
#include <gtest/gtest.h>

#include "umk/sig.h"

#include <cstring>

#include "fake_trap.h"
#include "umklib/ipc.h"
#include "umklib/syslib.h"

using namespace umk;

namespace {

class LibSyslib : public ::testing::Test {
  protected:
    void SetUp() override { fake::reset(); }

    // Answer kernel call `call` with `result`, keeping the request for checks.
    message* capture(int call, int result = OK, std::function<void(message&)> fill = nullptr) {
        fake::on_kernel_call(call, [this, result, fill](message& m) {
            request = m;
            if (fill) fill(m);
            return result;
        });
        return &request;
    }
    message request{};
};

TEST_F(LibSyslib, IpcWrappersPassCallEndpointAndMessage) {
    message m = fake::msg(0, 77);
    fake::push_ok(SEND, 5);
    EXPECT_EQ(ipc_send(5, &m), OK);
    fake::push_ok(SENDNB, 6);
    EXPECT_EQ(ipc_sendnb(6, &m), OK);
    fake::push_ok(NOTIFY, 7);
    EXPECT_EQ(ipc_notify(7), OK);
    fake::push_receive(fake::msg(9, 1234));
    EXPECT_EQ(ipc_receive(ANY, &m), OK);
    EXPECT_EQ(m.m_source, 9);
    EXPECT_EQ(m.m_type, 1234);
    fake::push_sendrec(8, fake::msg(8, -EINVAL));
    message req = fake::msg(0, 55);
    EXPECT_EQ(ipc_sendrec(8, &req), OK);
    EXPECT_EQ(req.m_type, -EINVAL);  // the reply overwrites the request

    auto t = fake::ipc_traps();
    ASSERT_EQ(t.size(), 5u);
    EXPECT_EQ(t[0].call, SEND);
    EXPECT_EQ(t[0].msg.m_type, 77);
    EXPECT_EQ(t[2].call, NOTIFY);
    EXPECT_EQ(t[3].ep, ANY);
    EXPECT_EQ(t[4].msg.m_type, 55);
}

TEST_F(LibSyslib, IpcErrorsComeBackUnchanged) {
    message m{};
    fake::push_ipc({SEND, NONE, -EDEADSRCDST, false, {}});
    EXPECT_EQ(ipc_send(3, &m), -EDEADSRCDST);
}

TEST_F(LibSyslib, SendaPassesCountAsEndpointAndTheTable) {
    asynmsg_t table[3]{};
    fake::push_ok(SENDA);
    EXPECT_EQ(ipc_senda(table, 3), OK);
    auto t = fake::ipc_traps();
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].ep, 3);
    EXPECT_EQ(t[0].table, vir_addr(table));
    EXPECT_EQ(ipc_senda(table, NR_ASYNC_MAX + 1), -EDOM);  // refused without a trap
    EXPECT_EQ(fake::ipc_traps().size(), 1u);
}

TEST_F(LibSyslib, SelfEndpointFollowsTheKernel) {
    fake::self = 1000;
    EXPECT_EQ(self_endpoint(), 1000);
    fake::self = 2000;  // e.g. after a live update
    EXPECT_EQ(self_endpoint(), 2000);
}

TEST_F(LibSyslib, KernelCallReturnsTheReplyTypeOrTheTrapError) {
    capture(SYS_CLEAR, -EPERM);
    EXPECT_EQ(sys_clear(77), -EPERM);
    EXPECT_EQ(request.m_type, SYS_CLEAR);
    EXPECT_EQ(request.PR_ENDPT, 77);
}

TEST_F(LibSyslib, SysExitNeverReturnsOnSuccess) {
    EXPECT_TRUE(fake::run([] { sys_exit(); }));
    EXPECT_EQ(fake::kernel_calls(SYS_EXIT).size(), 1u);
}

TEST_F(LibSyslib, SysKill) {
    capture(SYS_KILL);
    EXPECT_EQ(sys_kill(12, SIGTERM), OK);
    EXPECT_EQ(request.SIG_ENDPT, 12);
    EXPECT_EQ(request.SIG_NUMBER, SIGTERM);
}

TEST_F(LibSyslib, SysGetksigDecodesTargetAndMap) {
    capture(SYS_GETKSIG, OK, [](message& m) {
        m.SIG_ENDPT = 33;
        m.SIG_MAP = sig_bit(SIGSEGV) | sig_bit(SIGKNDELAY);
    });
    endpoint_t ep = 0;
    sigset_t_ map = 0;
    EXPECT_EQ(sys_getksig(&ep, &map), OK);
    EXPECT_EQ(ep, 33);
    EXPECT_EQ(map, sig_bit(SIGSEGV) | sig_bit(SIGKNDELAY));

    capture(SYS_GETKSIG, -ECALLDENIED);
    EXPECT_EQ(sys_getksig(&ep, &map), -ECALLDENIED);
    EXPECT_EQ(ep, NONE);  // a failure never looks like a pending target
    EXPECT_EQ(map, 0u);
}

TEST_F(LibSyslib, SysEndksig) {
    capture(SYS_ENDKSIG);
    EXPECT_EQ(sys_endksig(33), OK);
    EXPECT_EQ(request.SIG_ENDPT, 33);
}

TEST_F(LibSyslib, SysUpdate) {
    capture(SYS_UPDATE);
    EXPECT_EQ(sys_update(10, 20, SYS_UPD_ROLLBACK), OK);
    EXPECT_EQ(request.SYS_UPD_SRC_ENDPT, 10);
    EXPECT_EQ(request.SYS_UPD_DST_ENDPT, 20);
    EXPECT_EQ(request.SYS_UPD_FLAGS, SYS_UPD_ROLLBACK);
}

TEST_F(LibSyslib, SysRunctlStopResume) {
    capture(SYS_RUNCTL, -EBUSY);
    EXPECT_EQ(sys_runctl(5, RC_STOP, RC_DELAY), -EBUSY);
    EXPECT_EQ(request.RC_ENDPT, 5);
    EXPECT_EQ(request.RC_ACTION, RC_STOP);
    EXPECT_EQ(request.RC_FLAGS, RC_DELAY);
    capture(SYS_RUNCTL);
    EXPECT_EQ(sys_stop(6), OK);
    EXPECT_EQ(request.RC_ACTION, RC_STOP);
    EXPECT_EQ(request.RC_FLAGS, 0);
    EXPECT_EQ(sys_resume(6), OK);
    EXPECT_EQ(request.RC_ACTION, RC_RESUME);
}

TEST_F(LibSyslib, SysSetalarm) {
    capture(SYS_SETALARM, OK, [](message& m) { m.ALRM_TIME_LEFT = 17; });
    clock_t_ left = 0;
    EXPECT_EQ(sys_setalarm(60, true, &left), OK);
    EXPECT_EQ(request.ALRM_EXP_TIME, 60);
    EXPECT_EQ(request.ALRM_ABS_TIME, 1);
    EXPECT_EQ(left, 17u);
    EXPECT_EQ(sys_setalarm(0, false), OK);  // cancel; `left` optional
    EXPECT_EQ(request.ALRM_EXP_TIME, 0);
    EXPECT_EQ(request.ALRM_ABS_TIME, 0);
}

TEST_F(LibSyslib, SysTimes) {
    capture(SYS_TIMES, OK, [](message& m) {
        m.T_USER_TIME = 5;
        m.T_BOOT_TICKS = 9000;
    });
    clock_t_ user = 0, up = 0;
    EXPECT_EQ(sys_times(SELF, &user, &up), OK);
    EXPECT_EQ(request.T_ENDPT, SELF);
    EXPECT_EQ(user, 5u);
    EXPECT_EQ(up, 9000u);
    EXPECT_EQ(sys_times(4, nullptr, nullptr), OK);
}

TEST_F(LibSyslib, SysUptimeAndHz) {
    capture(SYS_GETINFO, OK, [](message& m) {
        m.m2_l1 = 4242;
        m.m2_i1 = 60;
    });
    clock_t_ ticks = 0;
    EXPECT_EQ(sys_uptime(&ticks), OK);
    EXPECT_EQ(request.I_REQUEST, GET_UPTIME);
    EXPECT_EQ(ticks, 4242u);
    EXPECT_EQ(sys_hz(), 60);
    capture(SYS_GETINFO, -EINVAL);
    EXPECT_EQ(sys_hz(), -EINVAL);
}

TEST_F(LibSyslib, SysWhoamiCopiesABoundedName) {
    capture(SYS_GETINFO, OK, [](message& m) {
        m.m3_i1 = 36600;
        m.m3_i2 = 0x12;
        std::memset(m.m3_ca1, 'x', sizeof m.m3_ca1);  // no NUL at all
    });
    endpoint_t ep = 0;
    std::uint32_t flags = 0;
    char name[8];
    EXPECT_EQ(sys_whoami(&ep, name, sizeof name, &flags), OK);
    EXPECT_EQ(request.I_REQUEST, GET_WHOAMI);
    EXPECT_EQ(ep, 36600);
    EXPECT_EQ(flags, 0x12u);
    EXPECT_STREQ(name, "xxxxxxx");
    EXPECT_EQ(sys_whoami(&ep, name, 1, nullptr), -EINVAL);
}

TEST_F(LibSyslib, SysGetinfo) {
    capture(SYS_GETINFO);
    char buf[64];
    EXPECT_EQ(sys_getinfo(GET_PROCTAB, buf, sizeof buf, 7), OK);
    EXPECT_EQ(request.I_REQUEST, GET_PROCTAB);
    EXPECT_EQ(request.I_ENDPT, 7);
    EXPECT_EQ(request.I_VAL_PTR, vir_addr(buf));
    EXPECT_EQ(request.I_VAL_LEN, 64);
}

TEST_F(LibSyslib, SysDiagctlChecksTheLengthFirst) {
    const char text[] = "hello\n";
    EXPECT_EQ(sys_diagctl_diag(text, 6), OK);
    EXPECT_EQ(fake::log, "hello\n");
    EXPECT_EQ(sys_diagctl_diag(text, 0), -EINVAL);
    EXPECT_EQ(sys_diagctl_diag(text, DIAG_BUF_MAX + 1), -EINVAL);
    EXPECT_EQ(fake::kernel_calls(SYS_DIAGCTL).size(), 1u);
}

TEST_F(LibSyslib, SysSpawn) {
    capture(SYS_SPAWN, OK, [](message& m) { m.SPAWN_ENDPT = 36570; });
    const char args[] = "a\0bc";
    endpoint_t ep = 0;
    EXPECT_EQ(sys_spawn("hello", args, sizeof args, &ep), OK);
    EXPECT_EQ(ep, 36570);
    EXPECT_STREQ(reinterpret_cast<const char*>(request.SPAWN_PROG), "hello");
    EXPECT_EQ(request.SPAWN_PROG_LEN, 5);
    EXPECT_EQ(request.SPAWN_ARGS, vir_addr(args));
    EXPECT_EQ(request.SPAWN_ARGS_LEN, 5);
    EXPECT_EQ(sys_spawn("", nullptr, 0, &ep), -EINVAL);
}

TEST_F(LibSyslib, SysPrivctl) {
    capture(SYS_PRIVCTL);
    priv_args pa{};
    EXPECT_EQ(sys_privctl(9, SYS_PRIV_SET_SYS, &pa), OK);
    EXPECT_EQ(request.CTL_ENDPT, 9);
    EXPECT_EQ(request.CTL_REQUEST, SYS_PRIV_SET_SYS);
    EXPECT_EQ(request.CTL_ARG_PTR, vir_addr(&pa));
    EXPECT_EQ(sys_privctl(9, SYS_PRIV_ALLOW), OK);
    EXPECT_EQ(request.CTL_ARG_PTR, 0u);
}

TEST_F(LibSyslib, SysSafecopy) {
    capture(SYS_SAFECOPYFROM);
    char buf[16];
    EXPECT_EQ(sys_safecopyfrom(11, 3, 8, vir_addr(buf), sizeof buf), OK);
    EXPECT_EQ(request.SCP_FROM_TO, 11);
    EXPECT_EQ(request.SCP_GID, 3);
    EXPECT_EQ(request.SCP_OFFSET, 8);
    EXPECT_EQ(request.SCP_ADDRESS, vir_addr(buf));
    EXPECT_EQ(request.SCP_BYTES, 16);
    capture(SYS_SAFECOPYTO, -EPERM);
    EXPECT_EQ(sys_safecopyto(11, 4, 0, vir_addr(buf), 1), -EPERM);
    EXPECT_EQ(request.m_type, SYS_SAFECOPYTO);
    EXPECT_EQ(request.SCP_GID, 4);
}

}  // namespace
