// The system.conf parser: a tokenizer over an in-memory text and one
// handler per keyword. Freestanding: no heap, no libc.
#include "umklib/system_conf.h"

#include <initializer_list>

#include "umk/com.h"
#include "umk/err.h"
#include "umk/names.h"
#include "umk/priv_flags.h"
#include "umk/str.h"

namespace umk::conf {
namespace {

// Appends to a bounded buffer (for error messages).
struct Out {
    char* buf;
    std::size_t size;
    std::size_t pos = 0;
    void put(const char* s) {
        while (*s && pos + 1 < size) buf[pos++] = *s++;
        if (size) buf[pos < size ? pos : size - 1] = '\0';
    }
    void put_int(long v) {
        char tmp[24];
        int n = 0;
        bool neg = v < 0;
        unsigned long u = neg ? 0ul - static_cast<unsigned long>(v) : static_cast<unsigned long>(v);
        do {
            tmp[n++] = static_cast<char>('0' + u % 10);
            u /= 10;
        } while (u);
        if (neg) tmp[n++] = '-';
        char rev[24];
        for (int i = 0; i < n; ++i) rev[i] = tmp[n - 1 - i];
        rev[n] = '\0';
        put(rev);
    }
};

bool parse_number(const char* s, int base, unsigned long* out) {
    if (!*s) return false;
    unsigned long v = 0;
    for (; *s; ++s) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F')
            d = *s - 'A' + 10;
        else
            return false;
        if (d >= base) return false;
        if (v > (0xfffffffful - static_cast<unsigned long>(d)) / static_cast<unsigned long>(base))
            return false;  // keep every value within 32 bits
        v = v * static_cast<unsigned long>(base) + static_cast<unsigned long>(d);
    }
    *out = v;
    return true;
}

// A name of a bit: VM calls (`vm`), authority flags (`authority`).
struct VmName {
    const char* name;
    std::uint32_t bit;
};
constexpr VmName kVmCalls[] = {
    {"REMAP", VM_REMAP},         {"UNREMAP", VM_UNREMAP},
    {"GETPHYS", VM_GETPHYS},     {"GETREFCNT", VM_GETREFCNT},
    {"QUERYEXIT", VM_QUERYEXIT}, {"INFO", VM_INFO},
    {"RS_UPDATE", VM_RS_UPDATE}, {"ALL", VM_ALL},
};

// umk's authority flags (`authority ...`).
constexpr VmName kAuthority[] = {
    {"MANAGE", MANAGE_SERVICES},
    {"SPAWN", SPAWN_PROGRAMS},
    {"SPAWN_ANY_PATH", SPAWN_PROGRAMS | SPAWN_ANY_PATH},
    {"LOG_READER", LOG_READER},
    {"RESTART", RESTART_SERVICES},
};

// MINIX's upper-case names of core services in `ipc` lists, and their labels.
struct IpcAlias {
    const char* name;
    const char* label;
};
constexpr IpcAlias kIpcAliases[] = {
    {"PM", "pm"},   {"VFS", "vfs"}, {"RS", "rs"}, {"LOG", "log"},
    {"TTY", "tty"}, {"DS", "ds"},   {"VM", "vm"},
};

// ---- tokenizer ----
enum class Tok { End, Word, LBrace, RBrace, Semi };

struct Lexer {
    const char* text = nullptr;
    std::size_t len = 0;
    std::size_t pos = 0;
    int line = 1;
    Tok tok = Tok::End;
    int tok_line = 1;
    char word[96] = {};
    bool word_too_long = false;

    void next() {
        for (;;) {
            while (pos < len && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r' ||
                                 text[pos] == '\n')) {
                if (text[pos] == '\n') ++line;
                ++pos;
            }
            if (pos < len && text[pos] == '#') {
                while (pos < len && text[pos] != '\n') ++pos;
                continue;
            }
            break;
        }
        tok_line = line;
        word_too_long = false;
        if (pos >= len) {
            tok = Tok::End;
            return;
        }
        char c = text[pos];
        if (c == '{' || c == '}' || c == ';') {
            ++pos;
            tok = c == '{' ? Tok::LBrace : c == '}' ? Tok::RBrace : Tok::Semi;
            return;
        }
        std::size_t n = 0;
        if (c == '"') {  // quoted word (e.g. a description)
            ++pos;
            while (pos < len && text[pos] != '"' && text[pos] != '\n') {
                if (n + 1 < sizeof word)
                    word[n++] = text[pos];
                else
                    word_too_long = true;
                ++pos;
            }
            if (pos < len && text[pos] == '"') ++pos;
        } else {
            while (pos < len) {
                c = text[pos];
                if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '{' || c == '}' ||
                    c == ';' || c == '#')
                    break;
                if (n + 1 < sizeof word)
                    word[n++] = c;
                else
                    word_too_long = true;
                ++pos;
            }
        }
        word[n] = '\0';
        tok = Tok::Word;
    }
};

const char* tok_desc(const Lexer& lx) {
    switch (lx.tok) {
        case Tok::End:
            return "end of file";
        case Tok::LBrace:
            return "'{'";
        case Tok::RBrace:
            return "'}'";
        case Tok::Semi:
            return "';'";
        case Tok::Word:
            return nullptr;
    }
    return "?";
}

struct Parser {
    Lexer lx;
    const char* file;
    Config* cfg;
    Error* err;
    int status = OK;

    int fail(int line, int code, const char* a, const char* b = nullptr, const char* c = nullptr,
             const char* d = nullptr) {
        str::copy(err->file, file, sizeof err->file);
        err->line = line;
        Out o{err->what, sizeof err->what};
        o.put("");
        for (const char* s : {a, b, c, d})
            if (s) o.put(s);
        status = code;
        return code;
    }
    // "expected X, found Y"
    int expected(const char* what) {
        const char* desc = tok_desc(lx);
        if (desc) return fail(lx.tok_line, -EINVAL, "expected ", what, ", found ", desc);
        char quoted[100];
        Out q{quoted, sizeof quoted};
        q.put("'");
        q.put(lx.word);
        q.put("'");
        return fail(lx.tok_line, -EINVAL, "expected ", what, ", found ", quoted);
    }
    int bad_value(const char* kw, const char* what) {
        char msg[160];
        Out o{msg, sizeof msg};
        o.put("bad value '");
        o.put(lx.word);
        o.put("' in '");
        o.put(kw);
        o.put("' (expected ");
        o.put(what);
        o.put(")");
        return fail(lx.tok_line, -EINVAL, msg);
    }
    int too_many(const char* kw, int max) {
        char msg[96];
        Out o{msg, sizeof msg};
        o.put("too many values in '");
        o.put(kw);
        o.put("' (at most ");
        o.put_int(max);
        o.put(")");
        return fail(lx.tok_line, -ENOSPC, msg);
    }

    // A second value after a one-value keyword: most likely a missing ';'.
    int one_value_only(const char* kw) {
        char what[64];
        Out o{what, sizeof what};
        o.put("';' after the value of '");
        o.put(kw);
        o.put("'");
        return expected(what);
    }

    // Each handler is called with the keyword consumed; it reads values up to
    // and including the ';'. A missing ';' shows up as a '}' or end of file.
    template <typename F>
    int values(const char* kw, bool need_one, F&& each) {
        int n = 0;
        for (lx.next(); lx.tok == Tok::Word; lx.next(), ++n) {
            if (lx.word_too_long) return bad_value(kw, "a shorter word");
            if (int r = each(); r != OK) return r;
        }
        if (lx.tok != Tok::Semi) {
            char what[64];
            Out o{what, sizeof what};
            o.put("';' after '");
            o.put(kw);
            o.put("'");
            return expected(what);
        }
        if (need_one && n == 0) return fail(lx.tok_line, -EINVAL, "'", kw, "' needs a value");
        return OK;
    }

    // Values that are names of bits in `table` (vm, authority); an unknown
    // one is "unknown WHAT 'X' in 'KW'".
    template <std::size_t N>
    int named_bits(const char* kw, const VmName (&table)[N], const char* what,
                   std::uint32_t* bits) {
        *bits = 0;
        return values(kw, true, [&] {
            for (const VmName& v : table) {
                if (str::eq(lx.word, v.name)) {
                    *bits |= v.bit;
                    return OK;
                }
            }
            char msg[128];
            Out o{msg, sizeof msg};
            o.put("unknown ");
            o.put(what);
            o.put(" '");
            o.put(lx.word);
            o.put("' in '");
            o.put(kw);
            o.put("'");
            return fail(lx.tok_line, -EINVAL, msg);
        });
    }

    int label_into(const char* kw, char* dst) {
        if (!str::copy(dst, lx.word, LABEL_LEN))
            return bad_value(kw, "a label of at most 15 characters");
        return OK;
    }

    int statement(ServiceConf& s) {
        char kw[32];
        if (!str::copy(kw, lx.word, sizeof kw))
            return fail(lx.tok_line, -EINVAL, "unknown keyword");
        int kw_line = lx.tok_line;
        if (str::eq(kw, "uid")) {
            int n = 0;
            s.set |= SET_UID;
            return values(kw, true, [&] {
                if (n++) return one_value_only(kw);
                unsigned long v;
                if (str::eq(lx.word, "root"))
                    s.uid = 0;
                else if (str::eq(lx.word, "service"))
                    s.uid = 12;  // MINIX's "service" user
                else if (parse_number(lx.word, 10, &v) && v < 65536)
                    s.uid = static_cast<int>(v);
                else
                    return bad_value(kw, "a user id, 'root' or 'service'");
                return OK;
            });
        }
        if (str::eq(kw, "nice")) {
            int n = 0;
            s.set |= SET_NICE;
            return values(kw, true, [&] {
                if (n++) return one_value_only(kw);
                bool neg = lx.word[0] == '-';
                unsigned long v;
                if (!parse_number(lx.word + (neg ? 1 : 0), 10, &v) || v > 20)
                    return bad_value(kw, "a number from -20 to 20");
                s.nice = neg ? -static_cast<int>(v) : static_cast<int>(v);
                return OK;
            });
        }
        if (str::eq(kw, "irq")) {
            s.set |= SET_IRQ;
            s.nr_irq = 0;
            return values(kw, true, [&] {
                unsigned long v;
                if (!parse_number(lx.word, 10, &v) || v > 255)
                    return bad_value(kw, "an IRQ number");
                if (s.nr_irq == MAX_IRQ) return too_many(kw, MAX_IRQ);
                s.irq[s.nr_irq++] = static_cast<int>(v);
                return OK;
            });
        }
        if (str::eq(kw, "io")) {
            s.set |= SET_IO;
            s.nr_io = 0;
            return values(kw, true, [&] {
                char base[32];
                str::copy(base, lx.word, sizeof base);
                unsigned long b, l = 1;
                char* colon = base;
                while (*colon && *colon != ':') ++colon;
                bool ok = true;
                if (*colon) {
                    *colon = '\0';
                    ok = parse_number(colon + 1, 16, &l) && l > 0;
                }
                if (!ok || !parse_number(base, 16, &b)) return bad_value(kw, "hex BASE[:LEN]");
                if (s.nr_io == MAX_IO) return too_many(kw, MAX_IO);
                s.io[s.nr_io++] = {static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(l)};
                return OK;
            });
        }
        if (str::eq(kw, "pci")) {
            // pci device VID/DID ... ; pci class ... (accepted, not used on umk)
            lx.next();
            if (lx.tok != Tok::Word || !(str::eq(lx.word, "device") || str::eq(lx.word, "class")))
                return expected("'device' or 'class' after 'pci'");
            bool device = str::eq(lx.word, "device");
            s.set |= SET_PCI;
            return values(kw, true, [&] {
                if (!device) return OK;
                char ids[32];
                str::copy(ids, lx.word, sizeof ids);
                char* slash = ids;
                while (*slash && *slash != '/') ++slash;
                unsigned long vid, did;
                if (!*slash) return bad_value(kw, "VID/DID in hex");
                *slash = '\0';
                if (!parse_number(ids, 16, &vid) || !parse_number(slash + 1, 16, &did) ||
                    vid > 0xffff || did > 0xffff)
                    return bad_value(kw, "VID/DID in hex");
                if (s.nr_pci == MAX_PCI) return too_many(kw, MAX_PCI);
                s.pci[s.nr_pci++] = static_cast<std::uint32_t>(vid << 16 | did);
                return OK;
            });
        }
        if (str::eq(kw, "system")) {
            s.set |= SET_SYSTEM;
            s.calls = 0;
            return values(kw, true, [&] {
                if (str::eq(lx.word, "ALL") || str::eq(lx.word, "ALL_SYS")) {
                    s.calls = (std::uint64_t{1} << NR_SYS_CALLS) - 1;
                    return OK;
                }
                if (str::eq(lx.word, "NONE") || str::eq(lx.word, "BASIC"))
                    return OK;  // basic calls are always given
                int off = kernel_call_by_name(lx.word);
                if (off < 0) {
                    char msg[128];
                    Out o{msg, sizeof msg};
                    o.put("unknown kernel call '");
                    o.put(lx.word);
                    o.put("' in 'system'");
                    return fail(lx.tok_line, -EINVAL, msg);
                }
                s.calls |= std::uint64_t{1} << off;
                return OK;
            });
        }
        if (str::eq(kw, "ipc")) {
            s.set |= SET_IPC;
            s.ipc_special = 0;
            s.nr_ipc = 0;
            return values(kw, true, [&] {
                if (str::eq(lx.word, "SYSTEM"))
                    s.ipc_special |= IPC_SYSTEM;
                else if (str::eq(lx.word, "USER"))
                    s.ipc_special |= IPC_USER;
                else if (str::eq(lx.word, "ALL"))
                    s.ipc_special |= IPC_ALL_SYS | IPC_USER | IPC_SYSTEM;
                else if (str::eq(lx.word, "ALL_SYS"))
                    s.ipc_special |= IPC_ALL_SYS | IPC_SYSTEM;
                else if (str::eq(lx.word, "NONE"))
                    s.ipc_special |= IPC_NONE;
                else {
                    const char* label = lx.word;
                    for (const IpcAlias& a : kIpcAliases)
                        if (str::eq(lx.word, a.name)) label = a.label;
                    if (s.nr_ipc == MAX_IPC) return too_many(kw, MAX_IPC);
                    if (!str::copy(s.ipc[s.nr_ipc], label, LABEL_LEN))
                        return bad_value(kw, "a label of at most 15 characters");
                    ++s.nr_ipc;
                }
                return OK;
            });
        }
        if (str::eq(kw, "vm")) {
            s.set |= SET_VM;
            return named_bits(kw, kVmCalls, "VM call", &s.vm);
        }
        if (str::eq(kw, "authority")) {
            s.set |= SET_AUTHORITY;
            return named_bits(kw, kAuthority, "authority", &s.authority);
        }
        if (str::eq(kw, "control")) {
            s.set |= SET_CONTROL;
            s.nr_control = 0;
            return values(kw, true, [&] {
                if (s.nr_control == MAX_CONTROL) return too_many(kw, MAX_CONTROL);
                return label_into(kw, s.control[s.nr_control++]);
            });
        }
        if (str::eq(kw, "period")) {
            int n = 0;
            s.set |= SET_PERIOD;
            return values(kw, true, [&] {
                if (n++) return one_value_only(kw);
                long t = parse_ticks(lx.word, HZ);
                if (t < 0 || t > 1000000) return bad_value(kw, "ticks, or seconds as NHZ");
                s.period = static_cast<int>(t);
                return OK;
            });
        }
        if (str::eq(kw, "sigmgr")) {
            int n = 0;
            s.set |= SET_SIGMGR;
            return values(kw, true, [&] {
                if (n++) return one_value_only(kw);
                return label_into(kw, s.sigmgr);
            });
        }
        if (str::eq(kw, "policy")) {
            int n = 0;
            s.set |= SET_POLICY;
            return values(kw, true, [&] {
                if (n++) return one_value_only(kw);
                if (str::eq(lx.word, "restart"))
                    s.policy = POLICY_RESTART;
                else if (str::eq(lx.word, "reset"))
                    s.policy = POLICY_RESET;
                else
                    return bad_value(kw, "'restart' or 'reset'");
                return OK;
            });
        }
        if (str::eq(kw, "class")) {
            return values(kw, true, [&] { return inherit(s, kw_line); });
        }
        if (str::eq(kw, "descr")) {
            return values(kw, false, [] { return OK; });
        }
        char msg[128];
        Out o{msg, sizeof msg};
        o.put("unknown keyword '");
        o.put(kw);
        o.put(
            "' (expected uid, nice, irq, io, pci, system, ipc, vm, control, class, period, "
            "sigmgr, authority, policy)");
        return fail(kw_line, -EINVAL, msg);
    }

    // class NAME: take every statement NAME has that this entry did not set.
    int inherit(ServiceConf& s, int line) {
        const ServiceConf* base = find(*cfg, lx.word);
        if (!base || base == &s)
            return fail(line, -EINVAL, "unknown class '", lx.word, "' (define it first)");
        std::uint32_t take = base->set & ~s.set;
        if (take & SET_UID) s.uid = base->uid;
        if (take & SET_NICE) s.nice = base->nice;
        if (take & SET_IRQ) {
            s.nr_irq = base->nr_irq;
            for (int i = 0; i < MAX_IRQ; ++i) s.irq[i] = base->irq[i];
        }
        if (take & SET_IO) {
            s.nr_io = base->nr_io;
            for (int i = 0; i < MAX_IO; ++i) s.io[i] = base->io[i];
        }
        if (take & SET_PCI) {
            s.nr_pci = base->nr_pci;
            for (int i = 0; i < MAX_PCI; ++i) s.pci[i] = base->pci[i];
        }
        if (take & SET_SYSTEM) s.calls = base->calls;
        if (take & SET_IPC) {
            s.ipc_special = base->ipc_special;
            s.nr_ipc = base->nr_ipc;
            for (int i = 0; i < base->nr_ipc; ++i) str::copy(s.ipc[i], base->ipc[i], LABEL_LEN);
        }
        if (take & SET_VM) s.vm = base->vm;
        if (take & SET_CONTROL) {
            s.nr_control = base->nr_control;
            for (int i = 0; i < base->nr_control; ++i)
                str::copy(s.control[i], base->control[i], LABEL_LEN);
        }
        if (take & SET_PERIOD) s.period = base->period;
        if (take & SET_SIGMGR) str::copy(s.sigmgr, base->sigmgr, LABEL_LEN);
        if (take & SET_AUTHORITY) s.authority = base->authority;
        if (take & SET_POLICY) s.policy = base->policy;
        s.set |= take;
        return OK;
    }

    int entry() {
        // At "service".
        int line = lx.tok_line;
        lx.next();
        if (lx.tok != Tok::Word) return expected("a service name after 'service'");
        if (lx.word_too_long || str::len(lx.word) >= static_cast<std::size_t>(LABEL_LEN))
            return fail(lx.tok_line, -E2BIG, "service name '", lx.word,
                        "' is longer than 15 characters");
        if (find(*cfg, lx.word))
            return fail(lx.tok_line, -EEXIST, "service '", lx.word, "' is defined twice");
        if (cfg->count == MAX_SERVICES) return too_many("service", MAX_SERVICES);
        ServiceConf& s = cfg->services[cfg->count];
        str::mem_zero(&s, sizeof s);
        str::copy(s.name, lx.word, sizeof s.name);
        s.line = line;
        lx.next();
        if (lx.tok != Tok::LBrace) return expected("'{' after the service name");
        for (lx.next(); lx.tok == Tok::Word; lx.next())
            if (int r = statement(s); r != OK) return r;
        if (lx.tok == Tok::End)
            return fail(lx.tok_line, -EINVAL, "unterminated block of service '", s.name,
                        "' (expected '}')");
        if (lx.tok != Tok::RBrace) return expected("a keyword or '}'");
        lx.next();
        if (lx.tok != Tok::Semi) return expected("';' after '}'");
        ++cfg->count;
        return OK;
    }

    int run() {
        for (lx.next(); lx.tok != Tok::End; lx.next()) {
            if (lx.tok != Tok::Word || !str::eq(lx.word, "service")) return expected("'service'");
            if (int r = entry(); r != OK) return r;
        }
        return OK;
    }
};

}  // namespace

int parse(const char* text, std::size_t len, const char* file, Config* out, Error* err) {
    out->count = 0;
    str::mem_zero(err, sizeof *err);
    Lexer lx;
    lx.text = text;
    lx.len = len;
    Parser p{lx, file ? file : "system.conf", out, err};
    int r = p.run();
    if (r != OK) out->count = 0;
    return r;
}

void format_error(const Error& err, char* buf, std::size_t size) {
    Out o{buf, size};
    o.put("");
    o.put(err.file);
    o.put(":");
    o.put_int(err.line);
    o.put(": ");
    o.put(err.what);
}

const ServiceConf* find(const Config& cfg, const char* name) {
    for (int i = 0; i < cfg.count; ++i)
        if (str::eq(cfg.services[i].name, name)) return &cfg.services[i];
    return nullptr;
}

long parse_ticks(const char* s, int hz) {
    char num[24];
    std::size_t n = str::len(s);
    bool seconds = n > 2 && s[n - 2] == 'H' && s[n - 1] == 'Z';
    if (seconds) n -= 2;
    if (n == 0 || n >= sizeof num) return -1;
    for (std::size_t i = 0; i < n; ++i) num[i] = s[i];
    num[n] = '\0';
    unsigned long v;
    if (!parse_number(num, 10, &v)) return -1;
    return static_cast<long>(seconds ? v * static_cast<unsigned long>(hz) : v);
}

}  // namespace umk::conf
