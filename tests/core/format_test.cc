// The freestanding formatter, kprintf and the name tables.
// umk/sig.h first: the host's <signal.h> (pulled in by gtest) defines NSIG
// as a macro, which would break sig.h's own NSIG constant if it came first.
#include "umk/sig.h"

#include <climits>
#include <cstdint>
#include <string>

#include "harness.h"
#include "umk/format.h"

namespace umk {
namespace {

template <typename... A>
std::string fmt(const char* f, A... a) {
    char buf[256];
    const int n = format(buf, sizeof buf, f, a...);
    EXPECT_EQ(n, static_cast<int>(std::string(buf).size()));
    return buf;
}

TEST(Format, Conversions) {
    EXPECT_EQ(fmt("%d %i %u", -42, 7, 3000000000u), "-42 7 3000000000");
    EXPECT_EQ(fmt("%x %X", 0xbeefu, 0xbeefu), "beef BEEF");
    EXPECT_EQ(fmt("%s|%c|%%", "abc", 'z'), "abc|z|%");
    EXPECT_EQ(fmt("%s", static_cast<const char*>(nullptr)), "(null)");
    EXPECT_EQ(fmt("%ld %lu %lx", -5L, 5UL, 255UL), "-5 5 ff");
    EXPECT_EQ(fmt("%lld %llu", LLONG_MIN, ULLONG_MAX), "-9223372036854775808 18446744073709551615");
    EXPECT_EQ(fmt("%zu", std::size_t{12345}), "12345");
    EXPECT_EQ(fmt("%d", INT_MIN), "-2147483648");
    EXPECT_EQ(fmt("%p", reinterpret_cast<void*>(0x1234)), "0x1234");
}

TEST(Format, WidthAndFlags) {
    EXPECT_EQ(fmt("[%5d]", 42), "[   42]");
    EXPECT_EQ(fmt("[%-5d]", 42), "[42   ]");
    EXPECT_EQ(fmt("[%05d]", -42), "[-0042]");
    EXPECT_EQ(fmt("[%08x]", 0xabcu), "[00000abc]");
    EXPECT_EQ(fmt("[%-6s]", "ab"), "[ab    ]");
    EXPECT_EQ(fmt("[%3s]", "abcdef"), "[abcdef]");
    EXPECT_EQ(fmt("[%-05d]", 1), "[1    ]");  // '-' wins over '0'
}

TEST(Format, TruncatesAndReportsFullLength) {
    char buf[6];
    EXPECT_EQ(format(buf, sizeof buf, "hello %s", "world"), 11);
    EXPECT_STREQ(buf, "hello");
    char one[1] = {'x'};
    EXPECT_EQ(format(one, 1, "abc"), 3);
    EXPECT_EQ(one[0], '\0');
    EXPECT_EQ(format(nullptr, 0, "%d", 12345), 5);
}

TEST(Format, KprintfWritesToTheArchLog) {
    fake::reset();
    kprintf("slot %d: %s\n", 3, "dead");
    EXPECT_EQ(test::kernel_log(), "slot 3: dead\n");
}

TEST(Names, ErrnoAndSignal) {
    EXPECT_STREQ(errno_name(EDEADSRCDST), "EDEADSRCDST");
    EXPECT_STREQ(errno_name(-EDEADSRCDST), "EDEADSRCDST");
    EXPECT_STREQ(errno_name(ETRAPDENIED), "ETRAPDENIED");
    EXPECT_STREQ(errno_name(-EPERM), "EPERM");
    EXPECT_STREQ(errno_name(12345), "E?");
    EXPECT_STREQ(sig_name(SIGSEGV), "SIGSEGV");
    EXPECT_STREQ(sig_name(SIGKSIG), "SIGKSIG");
    EXPECT_STREQ(sig_name(0), "SIG?");
}

}  // namespace
}  // namespace umk
