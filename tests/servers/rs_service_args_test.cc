// `umk service` argument parsing (MINIX syntax) and its failure messages.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "service_args.h"
#include "umk/config.h"
#include "umk/err.h"
#include "umklib/rs_proto.h"

namespace umk::control {
namespace {

struct Parsed {
    int status;
    ServiceCommand cmd;
    std::string error;
};

Parsed parse(std::vector<const char*> args) {
    args.insert(args.begin(), "service");
    Parsed p;
    p.status = parse_service_args(static_cast<int>(args.size()), args.data(), &p.cmd, &p.error);
    return p;
}

TEST(ServiceArgs, UpWithEveryOption) {
    Parsed p = parse({"--sock", "/tmp/x.sock", "up", "hello", "-label", "hi", "-args", "a  bb c",
                      "-period", "2HZ", "-script", "recover"});
    ASSERT_EQ(p.status, 0) << p.error;
    EXPECT_EQ(p.cmd.sock, "/tmp/x.sock");
    const CtlRequest& rq = p.cmd.request;
    EXPECT_EQ(rq.magic, CTL_MAGIC);
    EXPECT_EQ(rq.op, static_cast<std::uint32_t>(CTL_RS));
    EXPECT_EQ(rq.rs_type, RS_UP);
    EXPECT_STREQ(rq.start.program, "hello");  // a bare name: found by the kernel
    EXPECT_STREQ(rq.start.label, "hi");
    EXPECT_EQ(rq.start.period, 2 * HZ);
    ASSERT_EQ(rq.start.args_len, 7u);
    EXPECT_EQ(std::string(rq.start.args, 7), std::string("a\0bb\0c\0", 7));
    EXPECT_STREQ(rq.start.script, "recover");  // run by RS when hello fails
    EXPECT_FALSE(rq.start.flags & rs::RSS_HAS_CONF);
}

TEST(ServiceArgs, RunAndPeriodInTicks) {
    Parsed p = parse({"run", "hello", "-period", "30"});
    ASSERT_EQ(p.status, 0) << p.error;
    EXPECT_EQ(p.cmd.request.rs_type, RS_RUN);
    EXPECT_EQ(p.cmd.request.start.period, 30);
    EXPECT_EQ(parse({"up", "hello"}).cmd.request.start.period, -1);  // from system.conf
}

TEST(ServiceArgs, UpdateSelfWithStateMaxtimeAndDebugFlags) {
    Parsed p = parse({"update", "self", "-label", "hello", "-state", "2", "-maxtime", "3HZ", "-y"});
    ASSERT_EQ(p.status, 0) << p.error;
    const rs::rs_start& st = p.cmd.request.start;
    EXPECT_EQ(p.cmd.request.rs_type, RS_UPDATE);
    EXPECT_TRUE(st.flags & rs::RSS_SELF);
    EXPECT_STREQ(st.label, "hello");
    EXPECT_EQ(st.state, 2);
    EXPECT_EQ(st.maxtime, 3 * HZ);
    EXPECT_EQ(st.debug, rs::RS_DEBUG_INIT_FAIL);
    EXPECT_EQ(parse({"update", "self", "-label", "h", "-x"}).cmd.request.start.debug,
              rs::RS_DEBUG_INIT_CRASH);
    EXPECT_EQ(parse({"update", "self", "-label", "h", "-z"}).cmd.request.start.debug,
              rs::RS_DEBUG_INIT_TIMEOUT);
    EXPECT_EQ(parse({"update", "self", "-label", "h"}).cmd.request.start.state,
              1);  // default: work-free
}

TEST(ServiceArgs, UpdateWithABinaryDefaultsTheLabelToItsName) {
    Parsed p = parse({"update", "hello_v2", "-label", "hello"});
    ASSERT_EQ(p.status, 0) << p.error;
    EXPECT_STREQ(p.cmd.request.start.program, "hello_v2");
    EXPECT_STREQ(p.cmd.request.start.label, "hello");
}

TEST(ServiceArgs, LabelVerbs) {
    for (auto [verb, type] : {std::pair{"down", RS_DOWN},
                              {"refresh", RS_REFRESH},
                              {"restart", RS_RESTART},
                              {"lookup", RS_LOOKUP}}) {
        Parsed p = parse({verb, "hello"});
        ASSERT_EQ(p.status, 0) << verb << ": " << p.error;
        EXPECT_EQ(p.cmd.request.rs_type, type);
        EXPECT_STREQ(p.cmd.request.label, "hello");
    }
    Parsed fi = parse({"fi", "hello"});
    ASSERT_EQ(fi.status, 0) << fi.error;
    EXPECT_EQ(fi.cmd.request.rs_type, RS_FI);
    EXPECT_STREQ(fi.cmd.request.label, "hello");
    EXPECT_EQ(parse({"fi"}).status, EINVAL);
    EXPECT_EQ(parse({"list"}).cmd.request.rs_type, RS_LIST);
    EXPECT_EQ(parse({"shutdown"}).cmd.request.rs_type, RS_SHUTDOWN);
}

TEST(ServiceArgs, RestartPolicy) {
    EXPECT_EQ(parse({"up", "hello"}).cmd.request.start.policy, conf::POLICY_DEFAULT);
    Parsed p = parse({"up", "hello", "-policy", "restart"});
    ASSERT_EQ(p.status, 0) << p.error;
    EXPECT_EQ(p.cmd.request.start.policy, conf::POLICY_RESTART);
    p = parse({"run", "hello", "-policy", "reset"});
    ASSERT_EQ(p.status, 0) << p.error;
    EXPECT_EQ(p.cmd.request.start.policy, conf::POLICY_RESET);
    p = parse({"up", "hello", "-policy", "reboot"});
    EXPECT_EQ(p.status, EINVAL);
    EXPECT_NE(p.error.find("bad policy 'reboot'"), std::string::npos) << p.error;
    EXPECT_EQ(parse({"up", "hello", "-policy"}).status, EINVAL);
    EXPECT_EQ(parse({"update", "self", "-label", "h", "-policy", "restart"}).status, EINVAL);
}

TEST(ServiceArgs, UsageErrors) {
    EXPECT_EQ(parse({}).status, EINVAL);
    EXPECT_EQ(parse({"frobnicate"}).status, ENOSYS);
    EXPECT_EQ(parse({"up"}).status, EINVAL);
    EXPECT_EQ(parse({"down"}).status, EINVAL);
    EXPECT_EQ(parse({"down", "a", "b"}).status, EINVAL);
    EXPECT_EQ(parse({"list", "x"}).status, EINVAL);
    EXPECT_EQ(parse({"update", "self"}).status, EINVAL);  // needs -label
    EXPECT_EQ(parse({"up", "hello", "-maxtime", "5"}).status, EINVAL);
    EXPECT_EQ(parse({"up", "hello", "-period", "soon"}).status, EINVAL);
    EXPECT_EQ(parse({"up", "hello", "-label"}).status, EINVAL);
    EXPECT_EQ(parse({"up", "hello", "-label", "averyveryverylonglabel"}).status, EINVAL);
    EXPECT_EQ(parse({"up", "hello", "-bogus"}).status, EINVAL);
    EXPECT_EQ(parse({"up", "./no/such/binary"}).status, ENOENT);
    Parsed p = parse({"update", "self", "-label", "hello", "-state", "x"});
    EXPECT_EQ(p.status, EINVAL);
    EXPECT_NE(p.error.find("bad state"), std::string::npos);
}

TEST(ServiceArgs, ConfigFileEntryIsSent) {
    std::string path = ::testing::TempDir() + "/svc_args.conf";
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("service hello { system KILL; period 7; };\n", f);
    std::fclose(f);
    Parsed p = parse({"up", "hello", "-config", path.c_str()});
    ASSERT_EQ(p.status, 0) << p.error;
    EXPECT_TRUE(p.cmd.request.start.flags & rs::RSS_HAS_CONF);
    EXPECT_EQ(p.cmd.request.start.conf.period, 7);
    EXPECT_EQ(parse({"up", "other", "-config", path.c_str()}).status, 1);  // no entry

    f = std::fopen(path.c_str(), "w");
    std::fputs("service hello {\n system NOPE;\n};\n", f);
    std::fclose(f);
    p = parse({"up", "hello", "-config", path.c_str()});
    EXPECT_EQ(p.status, 1);
    EXPECT_NE(p.error.find("svc_args.conf:2: unknown kernel call 'NOPE'"), std::string::npos)
        << p.error;
    std::remove(path.c_str());
}

TEST(ServiceArgs, FailureMessagesNameTheError) {
    EXPECT_EQ(describe_failure("update", -ERESTART),
              "update failed: ERESTART (85): new version failed to initialize, rolled back");
    EXPECT_NE(describe_failure("update", -EINTR).find("update failed: EINTR (4)"),
              std::string::npos);
    EXPECT_NE(describe_failure("update", -EBUSY).find("EBUSY (16)"), std::string::npos);
    EXPECT_NE(describe_failure("down", -ESRCH).find("down failed: ESRCH (3): no such service"),
              std::string::npos);
}

}  // namespace
}  // namespace umk::control
