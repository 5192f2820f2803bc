// The MINIX DS test suite (test/ds: dstest + subs) inside a booted umk
// system: RS, PM, DS, VM, devman and the test services as boot processes.
#include "booted_system.h"

namespace {

using umk_test::BootedSystemTest;
using namespace std::chrono_literals;

const char* const kSystem = R"(
proc  0  pm         program=pm
proc  1  devman     program=devman
proc  2  rs         program=rs sys ipc=all calls=all sigmgr=SELF
proc  6  ds         program=ds
proc  8  vm         program=vm
proc  11 st_subs    program=st_subs
proc  12 st_dstest  program=st_dstest
)";

class DsSystem : public BootedSystemTest {};

TEST_F(DsSystem, MinixDsTestSuite) {
    umk_test::LogCapture& log = boot({.config_text = kSystem, .control_socket = false}).log;
    std::string line;
    ASSERT_TRUE(log.wait_for("DSTEST: all tests done", &line, 20s) ||
                log.wait_for("DSTEST: FAILED", &line, 1s))
        << "no result from st_dstest";
    EXPECT_EQ(log.count("DSTEST: FAILED"), 0);
    EXPECT_EQ(log.count("DSTEST: U32 test successful!"), 1);
    EXPECT_EQ(log.count("DSTEST: STRING test successful!"), 1);
    EXPECT_EQ(log.count("DSTEST: MEM test successful!"), 1);
    EXPECT_EQ(log.count("DSTEST: LABEL test successful!"), 1);
    // subs saw the first value (during dstest's pause) and the deletion.
    EXPECT_TRUE(log.wait_for("SUBSCRIBER: key: test_u32, U32: 1234", nullptr, 10s));
    EXPECT_TRUE(log.wait_for("SUBSCRIBER: the key was deleted.", nullptr, 10s));
    EXPECT_EQ(log.count("SUBSCRIBER: error"), 0);
}

}  // namespace
