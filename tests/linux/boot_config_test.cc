// The boot config parser: entries, defaults, and errors naming file:line.
#include "harness.h"
#include "umk/com.h"

namespace umk_test {
namespace {

using namespace umk::linux_host;

TEST(BootConfig, ParsesEntriesAndDefaults) {
    BootConfig c;
    std::string err;
    ASSERT_TRUE(parse_boot_config(R"(# comment
proc 0 rs program=/bin/rs sys calls=all sigmgr=SELF   # trailing comment
proc 2 hello program=hello args="a b  c" sigmgr=rs
client 5 bench sys ipc=none
)",
                                  "x.conf", &c, &err))
        << err;
    ASSERT_EQ(c.entries.size(), 3u);
    EXPECT_EQ(c.entries[0].program, "/bin/rs");
    EXPECT_TRUE(c.entries[0].sys);
    EXPECT_TRUE(c.entries[0].ipc_to_all);  // sys defaults to all targets
    EXPECT_TRUE(c.entries[0].all_calls);
    EXPECT_EQ(c.entries[1].args, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_FALSE(c.entries[1].sys);
    EXPECT_FALSE(c.entries[1].ipc_to_all);
    EXPECT_EQ(c.entries[2].kind, BootKind::CLIENT);
    EXPECT_FALSE(c.entries[2].ipc_to_all);
    EXPECT_EQ(c.entries[1].where, "x.conf:3");
    std::vector<umk::BootProc> b = boot_procs(c);
    EXPECT_EQ(b[0].priv.sig_mgr, umk::SELF);
    EXPECT_EQ(b[1].priv.sig_mgr, umk::make_endpoint(0, 0));
    EXPECT_FALSE(b[1].has_priv);
}

// Authority (umk/priv_flags.h): RS (calls=all) has every flag, the control
// proxy the administrator's, a plain service none unless `auth=` names them.
TEST(BootConfig, AuthorityDefaultsAndAuthOption) {
    BootConfig c;
    std::string err;
    ASSERT_TRUE(parse_boot_config(R"(proc 0 rs program=rs sys calls=all sigmgr=SELF
proc 1 svc program=svc sys
proc 2 tty program=tty sys auth=log
kernel 3 umkctl type=ctlsock sys ipc=all
kernel 4 ctl2 type=ctlsock sys auth=none
)",
                                  "a.conf", &c, &err))
        << err;
    std::vector<umk::BootProc> b = boot_procs(c);
    EXPECT_EQ(b[0].priv.flags & umk::AUTHORITY_FLAGS, umk::AUTHORITY_FLAGS);
    EXPECT_EQ(b[1].priv.flags & umk::AUTHORITY_FLAGS, 0u);
    EXPECT_EQ(b[2].priv.flags & umk::AUTHORITY_FLAGS, umk::LOG_READER);
    EXPECT_EQ(b[3].priv.flags & umk::AUTHORITY_FLAGS,
              umk::MANAGE_SERVICES | umk::SPAWN_PROGRAMS | umk::SPAWN_ANY_PATH);
    EXPECT_EQ(b[4].priv.flags & umk::AUTHORITY_FLAGS, 0u);
    BootConfig bad;
    EXPECT_FALSE(parse_boot_config("proc 1 x program=y sys auth=root\n", "b.conf", &bad, &err));
    EXPECT_NE(err.find("unknown or misplaced option 'auth=root'"), std::string::npos) << err;
}

void expect_error(const std::string& text, const std::string& want) {
    BootConfig c;
    std::string err;
    EXPECT_FALSE(parse_boot_config(text, "b.conf", &c, &err)) << text;
    EXPECT_NE(err.find(want), std::string::npos) << "got: " << err;
}

TEST(BootConfig, ErrorsNameFileAndLine) {
    expect_error("\nprocess 1 x program=y\n", "b.conf:2: unknown entry 'process'");
    expect_error("proc one x program=y\n", "b.conf:1: bad slot number 'one'");
    expect_error("proc 1 x\n", "b.conf:1: 'proc' needs program=PATH");
    expect_error("proc 1 x program=y colour=red\n",
                 "b.conf:1: unknown or misplaced option 'colour=red'");
    expect_error("proc 1 x program=y\nproc 1 z program=y\n", "b.conf:2: slot 1 used twice");
    expect_error("proc 1 x program=y\nproc 2 x program=y\n", "b.conf:2: name 'x' used twice");
    expect_error("proc 1 x program=y sigmgr=nobody\n", "b.conf:1: signal manager 'nobody'");
    expect_error("proc 100000 x program=y\n", "b.conf:1: slot 100000 out of range");
    expect_error("proc 1 x program=\"y\n", "b.conf:1: unterminated quote");
    expect_error("proc 1 averyveryverylongname program=y\n", "b.conf:1: name");
    expect_error("proc 20 x program=y sys\n", "b.conf:1: slot 20 cannot start with privileges");
    expect_error("# nothing\n", "b.conf: no boot entries");
}

TEST(BootConfig, MissingProgramFailsTheBoot) {
    BootConfig c;
    std::string err;
    ASSERT_TRUE(parse_boot_config("proc 1 x program=no_such_program sys\n", "m.conf", &c, &err));
    HostOptions opt;
    opt.programs_dir = UMK_TEST_PROGRAMS;
    LogCapture log;
    opt.log_sink = [&](std::string_view l) { log.add(l); };
    Host h(c, opt);
    EXPECT_FALSE(h.start());
    h.stop();
    EXPECT_TRUE(log.wait_for("m.conf:1: cannot start x (no_such_program)", nullptr, 1s));
}

}  // namespace
}  // namespace umk_test
