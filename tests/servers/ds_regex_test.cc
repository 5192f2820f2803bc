// The freestanding regex matcher used by DS subscriptions.
#include <gtest/gtest.h>

#include "ds_regex.h"
#include "umk/err.h"

namespace {

using umk::ds::Regex;

bool matches(const char* pattern, const char* text) {
    Regex re;
    EXPECT_EQ(umk::ds::regex_compile(pattern, re), umk::OK) << pattern;
    return umk::ds::regex_search(re, text);
}

bool compiles(const char* pattern) {
    Regex re;
    return umk::ds::regex_compile(pattern, re) == umk::OK;
}

struct Case {
    const char* pattern;
    const char* text;
    bool match;
};

TEST(DsRegex, TableOfCases) {
    const Case cases[] = {
        {"^test_u32$", "test_u32", true},
        {"^test_u32$", "test_u32x", false},
        {"^test_u32$", "xtest_u32", false},
        {"test", "a test here", true},  // unanchored search, as regexec
        {"^(test)$", "test_u32", false},
        {"^a.c$", "abc", true},
        {"^a.c$", "ac", false},
        {"^ab*c$", "ac", true},
        {"^ab*c$", "abbbc", true},
        {"^ab+c$", "ac", false},
        {"^ab+c$", "abc", true},
        {"^ab?c$", "abbc", false},
        {"^ab?c$", "ac", true},
        {"^(cat|dog)s?$", "dogs", true},
        {"^(cat|dog)s?$", "cow", false},
        {"^(a|b)*$", "", true},
        {"^(a|b)*$", "abba", true},
        {"^(a|b)*$", "abca", false},
        {"^dev\\..*$", "dev.hello", true},
        {"^dev\\..*$", "devXhello", false},
        {"^[a-c]+$", "abcabc", true},
        {"^[a-c]+$", "abcd", false},
        {"^[^0-9]+$", "abc", true},
        {"^[^0-9]+$", "ab1", false},
        {"^[[:digit:]]+$", "0123", true},
        {"^[[:alpha:]_]+$", "open_counter", true},
        {"^[]a]$", "]", true},
        {"^[a-]$", "-", true},
        {"^(a*)*$", "aaaa", true},                              // empty loops terminate
        {"^(a*)*b$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaac", false},  // no exponential blowup
        {"^((a|b)(c|d))+$", "acbdad", true},
        {"^$", "", true},
        {"^$", "x", false},
        {"a|^b", "b", true},
        {"^x(|y)z$", "xz", true},
        {"^x(|y)z$", "xyz", true},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(matches(c.pattern, c.text), c.match) << c.pattern << " on '" << c.text << "'";
    }
}

TEST(DsRegex, RejectsMalformedOrUnsupportedPatterns) {
    EXPECT_FALSE(compiles("(ab"));
    EXPECT_FALSE(compiles("ab)"));
    EXPECT_FALSE(compiles("[ab"));
    EXPECT_FALSE(compiles("*a"));
    EXPECT_FALSE(compiles("a|*"));
    EXPECT_FALSE(compiles("a{2}"));
    EXPECT_FALSE(compiles("[z-a]"));
    EXPECT_FALSE(compiles("[[:nosuch:]]"));
    EXPECT_FALSE(compiles("ab\\"));
    EXPECT_TRUE(compiles("a**"));
}

TEST(DsRegex, BoundsNestingAndLength) {
    std::string deep(40, '(');
    deep += "a";
    deep += std::string(40, ')');
    EXPECT_FALSE(compiles(deep.c_str()));  // nesting deeper than the bound
    std::string ok(20, '(');
    ok += "a";
    ok += std::string(20, ')');
    EXPECT_TRUE(compiles(ok.c_str()));
    std::string longp(Regex::MAX_PATTERN + 1, 'a');
    EXPECT_FALSE(compiles(longp.c_str()));
    // The longest DS pattern: ^( + 79 characters of classes + )$.
    std::string worst = "^(";
    for (int i = 0; i < 13; i++) worst += "[a-z]*";
    worst += ")$";
    EXPECT_TRUE(compiles(worst.c_str()));
}

}  // namespace
