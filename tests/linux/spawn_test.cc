// SYS_SPAWN at run time: the kernel asks the host for a new process in a
// free slot; it waits in RTS_NO_PRIV until SYS_PRIVCTL lets it run.
#include <cstring>

#include "harness.h"
#include "svc_util.h"
#include "umk/com.h"

namespace umk_test {
namespace {

using umk::message;
using umk::OK;

int spawn(umk::linux_host::Client* c, const char* prog, const std::string& args,
          umk::endpoint_t* out) {
    message m{};
    m.SPAWN_PROG = reinterpret_cast<umk::vir_bytes>(prog);
    m.SPAWN_PROG_LEN = static_cast<int>(std::strlen(prog));
    m.SPAWN_ARGS = reinterpret_cast<umk::vir_bytes>(args.data());
    m.SPAWN_ARGS_LEN = static_cast<int>(args.size());
    int r = c->kernel_call(umk::SYS_SPAWN, &m);
    *out = m.SPAWN_ENDPT;
    return r;
}

TEST_F(HostTest, SysSpawnStartsAProgramThatRunsOncePrivileged) {
    boot("client 0 rs sys ipc=all calls=all\n");
    umk::linux_host::Client* rs = host->client("rs");
    umk::endpoint_t e = umk::NONE;
    ASSERT_EQ(spawn(rs, "test_pong", std::string("7\0", 2), &e), OK);
    ASSERT_NE(e, umk::NONE);
    EXPECT_EQ(children_of(getpid(), "test_pong").size(), 1u);
    for (int req : {umk::SYS_PRIV_SET_SYS, umk::SYS_PRIV_ALLOW}) {
        message m{};
        m.CTL_ENDPT = e;
        m.CTL_REQUEST = req;
        ASSERT_EQ(rs->kernel_call(umk::SYS_PRIVCTL, &m), OK);
    }
    message m{};
    m.m_type = test_svc::PING;
    m.m1_i1 = 99;
    ASSERT_EQ(rs->sendrec(e, &m), OK);
    EXPECT_EQ(m.m1_i1, 99);
    EXPECT_EQ(m.m1_i2, 7);  // its argument arrived
    // Clearing it kills and reaps the host process.
    m = message{};
    m.PR_ENDPT = e;
    ASSERT_EQ(rs->kernel_call(umk::SYS_CLEAR, &m), OK);
    EXPECT_EQ(children_of(getpid(), "test_pong").size(), 0u);
}

TEST_F(HostTest, SysSpawnOfMissingProgramFails) {
    boot("client 0 rs sys ipc=all calls=all\n");
    umk::endpoint_t e;
    EXPECT_EQ(spawn(host->client("rs"), "no_such_program", "", &e), -ENOENT);
    EXPECT_EQ(spawn(host->client("rs"), "/etc/passwd", "", &e), -ENOEXEC);
    // Host-internal kinds cannot be spawned at run time.
    EXPECT_EQ(spawn(host->client("rs"), "@client", "", &e), -ENOENT);
    EXPECT_EQ(children_of(getpid()).size(), 0u);
}

}  // namespace
}  // namespace umk_test

namespace umk_test {
namespace {

// copy_to_proc into a bad address of the caller: EFAULT, and nothing breaks.
TEST_F(HostTest, CopyToABadAddressIsEfault) {
    boot("client 0 rs sys ipc=all calls=all\n");
    umk::message m{};
    m.I_REQUEST = umk::GET_PROCTAB;
    m.I_VAL_PTR = 0x10;  // never mapped
    m.I_VAL_LEN = static_cast<int>(sizeof(umk::proc_info) * (umk::NR_TASKS + umk::NR_PROCS));
    EXPECT_EQ(host->client("rs")->kernel_call(umk::SYS_GETINFO, &m), -EFAULT);
    std::vector<umk::proc_info> tab(umk::NR_TASKS + umk::NR_PROCS);
    m = umk::message{};
    m.I_REQUEST = umk::GET_PROCTAB;
    m.I_VAL_PTR = reinterpret_cast<umk::vir_bytes>(tab.data());
    m.I_VAL_LEN = static_cast<int>(sizeof(umk::proc_info) * tab.size());
    ASSERT_EQ(host->client("rs")->kernel_call(umk::SYS_GETINFO, &m), umk::OK);
    EXPECT_STREQ(tab[umk::NR_TASKS + 0].name, "rs");
}

}  // namespace
}  // namespace umk_test
