// Parser (recursive descent into a fixed node pool), code generator
// (Thompson construction) and Pike VM for servers/ds/ds_regex.h.
#include "ds_regex.h"

#include "umk/err.h"

namespace umk::ds {
namespace {

constexpr int MAX_NODES = 2 * Regex::MAX_PATTERN + 8;
constexpr int MAX_DEPTH = 32;  // nesting of groups (bounds the recursion)

enum Kind : std::uint8_t {
    N_LIT,
    N_ANY,
    N_CLASS,
    N_BOL,
    N_EOL,
    N_EMPTY,
    N_CAT,
    N_ALT,
    N_STAR,
    N_PLUS,
    N_QUEST
};
struct Node {
    Kind kind;
    std::uint8_t c;
    std::int16_t left, right;
};

struct Parser {
    Parser(const char* pattern, Regex& r) : p(pattern), re(r) {}
    const char* p;
    Regex& re;
    Node nodes[MAX_NODES];
    int nr_nodes = 0;
    bool bad = false;

    int node(Kind k, int l = -1, int r = -1, std::uint8_t c = 0) {
        if (nr_nodes >= MAX_NODES) {
            bad = true;
            return -1;
        }
        nodes[nr_nodes] = Node{k, c, static_cast<std::int16_t>(l), static_cast<std::int16_t>(r)};
        return nr_nodes++;
    }

    static bool in_named_class(const char* name, int len, int ch) {
        auto is = [&](const char* s) {
            int i = 0;
            for (; i < len && s[i] && s[i] == name[i]; i++) {
            }
            return i == len && s[i] == '\0';
        };
        bool lower = ch >= 'a' && ch <= 'z', upper = ch >= 'A' && ch <= 'Z';
        bool digit = ch >= '0' && ch <= '9';
        if (is("alpha")) return lower || upper;
        if (is("digit")) return digit;
        if (is("alnum")) return lower || upper || digit;
        if (is("lower")) return lower;
        if (is("upper")) return upper;
        if (is("space")) return ch == ' ' || (ch >= '\t' && ch <= '\r');
        if (is("blank")) return ch == ' ' || ch == '\t';
        if (is("xdigit")) return digit || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
        if (is("punct")) return ch > 32 && ch < 127 && !lower && !upper && !digit;
        if (is("print")) return ch >= 32 && ch < 127;
        if (is("graph")) return ch > 32 && ch < 127;
        if (is("cntrl")) return ch < 32 || ch == 127;
        return false;
    }
    static bool known_class(const char* name, int len) {
        static const char* const names[] = {"alpha", "digit",  "alnum", "lower", "upper", "space",
                                            "blank", "xdigit", "punct", "print", "graph", "cntrl"};
        for (const char* n : names) {
            int i = 0;
            for (; i < len && n[i] == name[i]; i++) {
            }
            if (i == len && n[i] == '\0') return true;
        }
        return false;
    }

    // After '['.
    int bracket() {
        if (re.nr_classes >= Regex::MAX_CLASSES) {
            bad = true;
            return -1;
        }
        int idx = re.nr_classes++;
        std::uint8_t* set = re.classes[idx];
        for (int i = 0; i < 32; i++) set[i] = 0;
        auto add = [&](int ch) { set[ch >> 3] |= static_cast<std::uint8_t>(1u << (ch & 7)); };
        bool negate = false;
        if (*p == '^') {
            negate = true;
            p++;
        }
        bool first = true;
        for (;;) {
            char ch = *p;
            if (ch == '\0') {
                bad = true;
                return -1;
            }
            if (ch == ']' && !first) {
                p++;
                break;
            }
            first = false;
            if (ch == '[' && p[1] == ':') {
                const char* name = p + 2;
                const char* end = name;
                while (*end && !(end[0] == ':' && end[1] == ']')) end++;
                if (*end == '\0' || !known_class(name, static_cast<int>(end - name))) {
                    bad = true;
                    return -1;
                }
                for (int c = 1; c < 256; c++)
                    if (in_named_class(name, static_cast<int>(end - name), c)) add(c);
                p = end + 2;
                continue;
            }
            if (ch == '[' && (p[1] == '.' || p[1] == '=')) {  // collating elements: unsupported
                bad = true;
                return -1;
            }
            int lo = static_cast<unsigned char>(ch);
            p++;
            if (*p == '-' && p[1] != ']' && p[1] != '\0') {
                int hi = static_cast<unsigned char>(p[1]);
                p += 2;
                if (hi < lo) {
                    bad = true;
                    return -1;
                }
                for (int c = lo; c <= hi; c++) add(c);
            } else {
                add(lo);
            }
        }
        if (negate) {
            for (int i = 0; i < 32; i++) set[i] = static_cast<std::uint8_t>(~set[i]);
        }
        set[0] &= 0xfe;  // NUL never matches: it ends the text
        return node(N_CLASS, -1, -1, static_cast<std::uint8_t>(idx));
    }

    int atom(int depth) {
        char ch = *p;
        switch (ch) {
            case '(': {
                p++;
                if (depth >= MAX_DEPTH) {
                    bad = true;
                    return -1;
                }
                int n = alternation(depth + 1);
                if (bad || *p != ')') {
                    bad = true;
                    return -1;
                }
                p++;
                return n;
            }
            case '[':
                p++;
                return bracket();
            case '.':
                p++;
                return node(N_ANY);
            case '^':
                p++;
                return node(N_BOL);
            case '$':
                p++;
                return node(N_EOL);
            case '\\':
                if (p[1] == '\0') {
                    bad = true;
                    return -1;
                }
                p += 2;
                return node(N_LIT, -1, -1, static_cast<std::uint8_t>(p[-1]));
            case '*':
            case '+':
            case '?':
            case '{':  // bounds: unsupported
                bad = true;
                return -1;
            default:
                p++;
                return node(N_LIT, -1, -1, static_cast<std::uint8_t>(ch));
        }
    }

    int repetition(int depth) {
        int n = atom(depth);
        while (!bad && (*p == '*' || *p == '+' || *p == '?')) {
            Kind k = *p == '*' ? N_STAR : *p == '+' ? N_PLUS : N_QUEST;
            p++;
            n = node(k, n);
        }
        if (!bad && *p == '{') bad = true;
        return n;
    }

    int concatenation(int depth) {
        int n = -1;
        while (!bad && *p && *p != '|' && *p != ')') {
            int r = repetition(depth);
            n = n < 0 ? r : node(N_CAT, n, r);
        }
        return n < 0 ? node(N_EMPTY) : n;
    }

    int alternation(int depth) {
        int n = concatenation(depth);
        while (!bad && *p == '|') {
            p++;
            int r = concatenation(depth);
            n = node(N_ALT, n, r);
        }
        return n;
    }
};

struct Gen {
    Gen(const Parser& p, Regex& r) : ps(p), re(r) {}
    const Parser& ps;
    Regex& re;
    bool bad = false;

    int emit(Regex::Op op, int c = 0, int x = 0, int y = 0) {
        if (re.nr_instr >= Regex::MAX_INSTR) {
            bad = true;
            return 0;
        }
        re.prog[re.nr_instr] =
            Regex::Instr{op, static_cast<std::uint8_t>(c), static_cast<std::int16_t>(x),
                         static_cast<std::int16_t>(y)};
        return re.nr_instr++;
    }
    void patch_x(int at, int to) {
        if (!bad) re.prog[at].x = static_cast<std::int16_t>(to);
    }
    void patch_y(int at, int to) {
        if (!bad) re.prog[at].y = static_cast<std::int16_t>(to);
    }

    void gen(int n) {
        if (bad) return;
        const Node& nd = ps.nodes[n];
        switch (nd.kind) {
            case N_LIT:
                emit(Regex::CHAR, nd.c);
                break;
            case N_ANY:
                emit(Regex::ANY);
                break;
            case N_CLASS:
                emit(Regex::CLASS, nd.c);
                break;
            case N_BOL:
                emit(Regex::BOL);
                break;
            case N_EOL:
                emit(Regex::EOL);
                break;
            case N_EMPTY:
                break;
            case N_CAT:
                gen(nd.left);
                gen(nd.right);
                break;
            case N_ALT: {
                int split = emit(Regex::SPLIT);
                patch_x(split, re.nr_instr);
                gen(nd.left);
                int jmp = emit(Regex::JMP);
                patch_y(split, re.nr_instr);
                gen(nd.right);
                patch_x(jmp, re.nr_instr);
                break;
            }
            case N_STAR: {
                int split = emit(Regex::SPLIT);
                patch_x(split, re.nr_instr);
                gen(nd.left);
                emit(Regex::JMP, 0, split);
                patch_y(split, re.nr_instr);
                break;
            }
            case N_PLUS: {
                int start = re.nr_instr;
                gen(nd.left);
                int split = emit(Regex::SPLIT, 0, start);
                patch_y(split, re.nr_instr);
                break;
            }
            case N_QUEST: {
                int split = emit(Regex::SPLIT);
                patch_x(split, re.nr_instr);
                gen(nd.left);
                patch_y(split, re.nr_instr);
                break;
            }
        }
    }
};

// A set of program counters with O(1) insert/membership (sparse set).
struct ThreadList {
    std::int16_t dense[Regex::MAX_INSTR];
    std::int16_t sparse[Regex::MAX_INSTR];
    int n = 0;
    bool has(int pc) const { return sparse[pc] < n && dense[sparse[pc]] == pc; }
    void add(int pc) {
        sparse[pc] = static_cast<std::int16_t>(n);
        dense[n++] = static_cast<std::int16_t>(pc);
    }
};

// Follows JMP/SPLIT/assertions from pc; adds the consuming instructions
// (and MATCH) reached to `list`. Iterative: the stack is bounded by the
// program size because every pc enters the list at most once.
void add_thread(const Regex& re, ThreadList& list, int pc0, bool at_start, bool at_end) {
    std::int16_t stack[Regex::MAX_INSTR];
    int sp = 0;
    stack[sp++] = static_cast<std::int16_t>(pc0);
    while (sp > 0) {
        int pc = stack[--sp];
        if (list.has(pc)) continue;
        list.add(pc);
        const Regex::Instr& in = re.prog[pc];
        switch (in.op) {
            case Regex::JMP:
                stack[sp++] = in.x;
                break;
            case Regex::SPLIT:
                stack[sp++] = in.y;
                stack[sp++] = in.x;
                break;
            case Regex::BOL:
                if (at_start) stack[sp++] = static_cast<std::int16_t>(pc + 1);
                break;
            case Regex::EOL:
                if (at_end) stack[sp++] = static_cast<std::int16_t>(pc + 1);
                break;
            default:
                break;
        }
    }
}

}  // namespace

int regex_compile(const char* pattern, Regex& re) {
    int len = 0;
    while (pattern[len]) {
        if (++len > Regex::MAX_PATTERN) return -EINVAL;
    }
    re.nr_instr = 0;
    re.nr_classes = 0;
    Parser ps(pattern, re);
    int root = ps.alternation(0);
    if (ps.bad || *ps.p != '\0') return -EINVAL;  // e.g. an unmatched ')'
    Gen g(ps, re);
    g.gen(root);
    g.emit(Regex::MATCH);
    if (g.bad) return -EINVAL;
    return OK;
}

bool regex_search(const Regex& re, const char* text) {
    if (re.nr_instr == 0) return false;
    ThreadList a{}, b{};
    ThreadList* cur = &a;
    ThreadList* next = &b;
    for (int i = 0;; i++) {
        bool at_end = text[i] == '\0';
        // Unanchored search: a new thread may start at every position.
        add_thread(re, *cur, 0, i == 0, at_end);
        next->n = 0;
        for (int t = 0; t < cur->n; t++) {
            const Regex::Instr& in = re.prog[cur->dense[t]];
            unsigned char ch = static_cast<unsigned char>(text[i]);
            bool step = false;
            switch (in.op) {
                case Regex::MATCH:
                    return true;
                case Regex::CHAR:
                    step = !at_end && ch == in.c;
                    break;
                case Regex::ANY:
                    step = !at_end;
                    break;
                case Regex::CLASS:
                    step = !at_end && (re.classes[in.c][ch >> 3] >> (ch & 7)) & 1;
                    break;
                default:
                    break;
            }
            if (step) add_thread(re, *next, cur->dense[t] + 1, false, text[i + 1] == '\0');
        }
        if (at_end) return false;
        ThreadList* tmp = cur;
        cur = next;
        next = tmp;
    }
}

}  // namespace umk::ds
