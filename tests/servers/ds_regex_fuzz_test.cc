// The DS regex matcher against the host's POSIX regcomp/regexec
// (REG_EXTENDED): random patterns over a small alphabet, random texts;
// wherever both accept the pattern, both must agree on matching.
#include <regex.h>

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "ds_regex.h"
#include "umk/err.h"

namespace {

std::string random_pattern(std::mt19937& rng, int depth = 0) {
    static const char* const atoms[] = {"a", "b", ".", "[ab]", "[^a]", "c", "\\."};
    std::string p;
    int n = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < n; i++) {
        int k = static_cast<int>(rng() % 10);
        if (k < 6 || depth > 2) {
            p += atoms[rng() % 7];
        } else if (k < 8) {
            p += "(" + random_pattern(rng, depth + 1) + ")";
        } else {
            p += "(" + random_pattern(rng, depth + 1) + "|" + random_pattern(rng, depth + 1) + ")";
        }
        switch (rng() % 5) {
            case 0:
                p += "*";
                break;
            case 1:
                p += "+";
                break;
            case 2:
                p += "?";
                break;
            default:
                break;
        }
    }
    return p;
}

std::string random_text(std::mt19937& rng) {
    static const char alphabet[] = "abc.";
    std::string t;
    int n = static_cast<int>(rng() % 8);
    for (int i = 0; i < n; i++) t += alphabet[rng() % 4];
    return t;
}

TEST(DsRegexFuzz, AgreesWithPosixRegexec) {
    std::mt19937 rng(20100317);  // fixed seed: reproducible
    int compared = 0;
    for (int i = 0; i < 3000; i++) {
        std::string pat = random_pattern(rng);
        if (rng() % 3 == 0) pat = "^(" + pat + ")$";
        umk::ds::Regex mine;
        if (umk::ds::regex_compile(pat.c_str(), mine) != umk::OK) continue;
        regex_t host;
        if (regcomp(&host, pat.c_str(), REG_EXTENDED | REG_NOSUB) != 0) continue;
        for (int j = 0; j < 5; j++) {
            std::string text = random_text(rng);
            bool want = regexec(&host, text.c_str(), 0, nullptr, 0) == 0;
            EXPECT_EQ(umk::ds::regex_search(mine, text.c_str()), want)
                << "pattern '" << pat << "' text '" << text << "'";
            compared++;
        }
        regfree(&host);
    }
    EXPECT_GT(compared, 5000);
}

}  // namespace
