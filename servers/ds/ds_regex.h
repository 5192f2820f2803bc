// A small freestanding POSIX extended regular expression matcher for DS
// subscriptions: literals, '.', bracket expressions ([a-z], [^...],
// [[:digit:]] ...), '*', '+', '?', '|', '(...)', '^', '$' and '\' escapes.
// Bounds ({m,n}) and back references are not supported (-EINVAL).
//
// No heap: a pattern compiles into a fixed program (Thompson construction)
// which a Pike VM runs in time linear in the text, so no pattern can make DS
// spin or overflow its stack.
#pragma once

#include <cstdint>

namespace umk::ds {

struct Regex {
    static constexpr int MAX_PATTERN = 96;  // characters
    static constexpr int MAX_INSTR = 320;
    static constexpr int MAX_CLASSES = 24;

    enum Op : std::uint8_t { CHAR, ANY, CLASS, SPLIT, JMP, BOL, EOL, MATCH };
    struct Instr {
        Op op;
        std::uint8_t c;  // CHAR: the character; CLASS: the class index
        std::int16_t x;  // SPLIT/JMP target
        std::int16_t y;  // SPLIT second target
    };

    Instr prog[MAX_INSTR];
    int nr_instr = 0;
    std::uint8_t classes[MAX_CLASSES][32];  // 256-bit sets
    int nr_classes = 0;
};

// OK, or -EINVAL for a malformed or unsupported pattern (or one too big).
int regex_compile(const char* pattern, Regex& re);

// regexec semantics: true if the pattern matches anywhere in `text`
// (use ^ and $ to anchor).
bool regex_search(const Regex& re, const char* text);

}  // namespace umk::ds
