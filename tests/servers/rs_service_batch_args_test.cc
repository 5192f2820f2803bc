// `umk service update ... -q` and `umk service sysctl upd_run|upd_stop`
// (the multi-component live update's controls): parsing and messages.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "service_args.h"
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

TEST(ServiceBatchArgs, UpdateQueueFlag) {
    Parsed p = parse({"update", "self", "-label", "hello", "-q", "-state", "2", "-maxtime", "3HZ"});
    ASSERT_EQ(p.status, 0) << p.error;
    const rs::rs_start& st = p.cmd.request.start;
    EXPECT_EQ(p.cmd.request.rs_type, RS_UPDATE);
    EXPECT_TRUE(st.flags & rs::RSS_QUEUE);
    EXPECT_TRUE(st.flags & rs::RSS_SELF);
    EXPECT_EQ(st.state, 2);
    EXPECT_FALSE(parse({"update", "self", "-label", "hello"}).cmd.request.start.flags &
                 rs::RSS_QUEUE);
    EXPECT_EQ(parse({"up", "hello", "-q"}).status, EINVAL);  // only for update
}

TEST(ServiceBatchArgs, Sysctl) {
    Parsed run = parse({"sysctl", "upd_run"});
    ASSERT_EQ(run.status, 0) << run.error;
    EXPECT_EQ(run.cmd.request.rs_type, RS_SYSCTL);
    EXPECT_EQ(run.cmd.request.start.state, RS_SYSCTL_UPD_RUN);
    Parsed stop = parse({"sysctl", "upd_stop"});
    ASSERT_EQ(stop.status, 0) << stop.error;
    EXPECT_EQ(stop.cmd.request.start.state, RS_SYSCTL_UPD_STOP);
    EXPECT_EQ(parse({"sysctl"}).status, EINVAL);
    EXPECT_EQ(parse({"sysctl", "upd_frob"}).status, EINVAL);
    EXPECT_EQ(parse({"sysctl", "upd_run", "x"}).status, EINVAL);
}

TEST(ServiceBatchArgs, SysctlFailuresReadAsUpdateFailures) {
    EXPECT_NE(describe_failure("sysctl", -ERESTART).find("rolled back"), std::string::npos);
    EXPECT_NE(describe_failure("sysctl", -EINTR).find("did not complete in time"),
              std::string::npos);
    EXPECT_NE(describe_failure("sysctl", -EINVAL).find("nothing queued"), std::string::npos);
}

}  // namespace
}  // namespace umk::control
