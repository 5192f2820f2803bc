// log_printf: formatting through the shared formatter, truncation, errors.
#include <gtest/gtest.h>

#include <string>

#include "fake_trap.h"
#include "umklib/log.h"

using namespace umk;

namespace {

class LibLog : public ::testing::Test {
  protected:
    void SetUp() override { fake::reset(); }
};

TEST_F(LibLog, FormatsAndSendsOneDiagctl) {
    const std::string want = "hello: -12 ok ff|ab  |00042\n";
    EXPECT_EQ(log_printf("hello: %d %s %x|%-4s|%05u\n", -12, "ok", 255u, "ab", 42u),
              static_cast<int>(want.size()));
    EXPECT_EQ(fake::log, want);
    EXPECT_EQ(fake::kernel_calls(SYS_DIAGCTL).size(), 1u);
}

TEST_F(LibLog, EmptyTextMakesNoCall) {
    EXPECT_EQ(log_printf("%s", ""), 0);
    EXPECT_TRUE(fake::kernel_calls(SYS_DIAGCTL).empty());
}

TEST_F(LibLog, LongTextIsCutAndMarked) {
    const std::string big(3000, 'a');
    EXPECT_EQ(log_printf("%s\n", big.c_str()), 3001);  // the full length, as printf
    ASSERT_EQ(fake::log.size(), static_cast<std::size_t>(DIAG_BUF_MAX));
    EXPECT_EQ(fake::log.substr(DIAG_BUF_MAX - 4), "...\n");
    EXPECT_EQ(fake::log.substr(0, 10), std::string(10, 'a'));

    fake::log.clear();
    log_printf("%s", big.c_str());  // no newline in the format: none added
    ASSERT_EQ(fake::log.size(), static_cast<std::size_t>(DIAG_BUF_MAX));
    EXPECT_EQ(fake::log.substr(DIAG_BUF_MAX - 4), "a...");
}

TEST_F(LibLog, ExactlyTheLimitIsNotCut) {
    const std::string text(DIAG_BUF_MAX, 'b');
    EXPECT_EQ(log_printf("%s", text.c_str()), DIAG_BUF_MAX);
    EXPECT_EQ(fake::log, text);
}

TEST_F(LibLog, KernelErrorIsReturned) {
    fake::on_kernel_call(SYS_DIAGCTL, [](message&) { return -ECALLDENIED; });
    EXPECT_EQ(log_printf("x\n"), -ECALLDENIED);
}

}  // namespace
