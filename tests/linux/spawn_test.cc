// SYS_SPAWN at run time: the kernel asks the host for a new process in a
// free slot; it waits in RTS_NO_PRIV until SYS_PRIVCTL lets it run.
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "../../arch-linux/src/host_state.h"
#include "harness.h"
#include "svc_util.h"
#include "umk/com.h"
#include "umk/proc.h"
#include "umk/sig.h"
#include "umk_linux/service_filter.h"

namespace umk_test {
namespace {

using umk::message;
using umk::OK;

// True once `cond` holds, polling for up to 5 s.
template <typename Cond>
bool eventually(Cond cond) {
    for (int i = 0; i < 500; ++i) {
        if (cond()) return true;
        usleep(10000);
    }
    return cond();
}

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
    // SYS_SPAWN returns before the child's execve completes (the kernel does
    // not wait for it): the program shows up under its name a moment later.
    EXPECT_TRUE(eventually([] { return children_of(getpid(), "test_pong").size() == 1; }));
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
    // Clearing it kills the host process; the kernel reaps it on its SIGCHLD
    // (it does not wait for the exit).
    m = message{};
    m.PR_ENDPT = e;
    ASSERT_EQ(rs->kernel_call(umk::SYS_CLEAR, &m), OK);
    EXPECT_TRUE(eventually([] { return children_of(getpid(), "test_pong").empty(); }));
}

// Its first trap (loaded, waiting for privileges) is reported: MF_STARTED
// and SIGKSTART to the spawner; the trap itself waits for the privileges.
TEST_F(HostTest, SysSpawnReportsTheFirstTrapAndHoldsIt) {
    boot("client 0 rs sys ipc=all calls=all\n");
    umk::linux_host::Client* rs = host->client("rs");
    umk::endpoint_t e = umk::NONE;
    ASSERT_EQ(spawn(rs, "test_pong", std::string("7\0", 2), &e), OK);
    // SIGKSTART comes as a notification from SYSTEM once it has started.
    message m{};
    ASSERT_EQ(rs->receive(umk::SYSTEM, &m), OK);
    EXPECT_EQ(m.m_source, umk::SYSTEM);
    EXPECT_TRUE(umk::sig_has(static_cast<umk::sigset_t_>(m.NOTIFY_ARG), umk::SIGKSTART));
    umk::proc_info pi{};
    m = message{};
    m.I_REQUEST = umk::GET_PROCINFO;
    m.I_ENDPT = e;
    m.I_VAL_PTR = reinterpret_cast<umk::vir_bytes>(&pi);
    m.I_VAL_LEN = static_cast<int>(sizeof pi);
    ASSERT_EQ(rs->kernel_call(umk::SYS_GETINFO, &m), OK);
    EXPECT_TRUE(pi.misc_flags & umk::MF_STARTED);
    EXPECT_EQ(pi.rts_flags, umk::RTS_NO_PRIV);
    for (int req : {umk::SYS_PRIV_SET_SYS, umk::SYS_PRIV_ALLOW}) {
        m = message{};
        m.CTL_ENDPT = e;
        m.CTL_REQUEST = req;
        ASSERT_EQ(rs->kernel_call(umk::SYS_PRIVCTL, &m), OK);
    }
    // The held first trap now runs: it answers.
    m = message{};
    m.m_type = test_svc::PING;
    m.m1_i1 = 5;
    ASSERT_EQ(rs->sendrec(e, &m), OK);
    EXPECT_EQ(m.m1_i1, 5);
    EXPECT_EQ(m.m1_i2, 7);
    m = message{};
    m.PR_ENDPT = e;
    ASSERT_EQ(rs->kernel_call(umk::SYS_CLEAR, &m), OK);
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

// What execve would refuse is found before the child exists (the kernel does
// not wait for the execve itself): an executable file that is neither an ELF
// program nor a script, a script whose interpreter is missing, a program
// whose ELF interpreter is missing. No child is left behind.
TEST_F(HostTest, SysSpawnChecksTheProgramBeforeStartingIt) {
    boot("client 0 rs sys ipc=all calls=all\n");
    char dir[] = "/tmp/umk-spawn-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    const std::string base = dir;
    auto write_exe = [](const std::string& path, const std::string& text) {
        std::ofstream(path, std::ios::binary) << text;
        chmod(path.c_str(), 0755);
    };
    write_exe(base + "/junk", "this is not a program\n");
    write_exe(base + "/script", "#!/no/such/interpreter -x\necho hi\n");
    // A copy of a dynamic host program (services are static-pie: no loader)
    // whose PT_INTERP names a missing loader.
    std::ifstream in("/bin/true", std::ios::binary);
    std::string elf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string loader = "/lib64/ld-linux-x86-64.so.2";
    const std::size_t at = elf.find(loader);
    ASSERT_NE(at, std::string::npos);
    elf.replace(at, 9, "/no/such/");  // same length: the headers stay valid
    write_exe(base + "/noloader", elf);

    umk::linux_host::Client* rs = host->client("rs");
    umk::endpoint_t e;
    EXPECT_EQ(spawn(rs, (base + "/junk").c_str(), "", &e), -ENOEXEC);
    EXPECT_EQ(spawn(rs, (base + "/script").c_str(), "", &e), -ENOENT);
    EXPECT_EQ(spawn(rs, (base + "/noloader").c_str(), "", &e), -ENOENT);
    EXPECT_EQ(children_of(getpid()).size(), 0u);
    for (const char* f : {"/junk", "/script", "/noloader"}) unlink((base + f).c_str());
    rmdir(dir);
}

// Spawning does not build the service seccomp filter with libseccomp each
// time (~0.2 ms of the kernel thread): it copies a template and puts the
// child's pid in. The copy must equal what libseccomp builds for that pid.
TEST(ServiceFilter, TemplateCopyEqualsAFilterBuiltForThePid) {
    for (pid_t pid : {1, 2, 4242, 65535, 4194304, 123456}) {
        std::vector<sock_filter> direct, fast;
        ASSERT_TRUE(umk::linux_host::build_service_filter(pid, &direct));
        ASSERT_TRUE(umk::linux_host::service_filter(pid, &fast));
        ASSERT_EQ(direct.size(), fast.size()) << pid;
        for (std::size_t i = 0; i < direct.size(); ++i) {
            EXPECT_EQ(direct[i].code, fast[i].code) << pid << " @" << i;
            EXPECT_EQ(direct[i].jt, fast[i].jt) << pid << " @" << i;
            EXPECT_EQ(direct[i].jf, fast[i].jf) << pid << " @" << i;
            EXPECT_EQ(direct[i].k, fast[i].k) << pid << " @" << i;
        }
    }
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
