// The boot processes: a boot config module in the Linux host's format
// (arch-linux/README.md, "Boot config"), so that one file describes a boot
// on both arches:
//
//     proc SLOT NAME [sys|user] program=MODULE [args="A B"] [ipc=all|none]
//          [calls=all|basic] [sigmgr=NAME|SELF|NONE]
//
// `program` names a boot module (its last path component, so a Linux path
// works too). The module is "boot.conf" unless the kernel command line says
// conf=NAME. Only `proc` entries are booted here; `client` and `kernel`
// entries (Linux-host inventions) are skipped with a note, so that
// etc/boot.conf boots on both arches. Three more lines describe what a test boot waits
// for (testmode.cc; they act only with `test` on the kernel command line):
//
//     expect "TEXT"   passes once every expected TEXT appeared in the log
//     fail "TEXT"     fails as soon as TEXT appears
//     ready "TEXT"    the line that means "all services ready" (measured)
#include "machine.h"
#include "umk/arch.h"
#include "umk/com.h"
#include "umk/err.h"
#include "umk/kernel.h"
#include "umk/priv.h"

namespace umk::i386 {
namespace {

constexpr int MAX_ENTRIES = 32;
constexpr int WORD_MAX = 64;
constexpr int ARGS_MAX = 256;

struct Entry {
    int slot;
    char name[PROC_NAME_LEN];
    char program[WORD_MAX];
    char args[ARGS_MAX];  // NUL-separated
    std::size_t args_len;
    bool sys;
    bool ipc_given, ipc_all, all_calls;
    char sig_mgr[WORD_MAX];
    int line;
};

Entry entries[MAX_ENTRIES];
int nr_entries;
BootProc boot_table[MAX_ENTRIES];

bool equal(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}
bool starts_with(const char* s, const char* prefix) {
    while (*prefix)
        if (*s++ != *prefix++) return false;
    return true;
}
bool copy_word(char* dst, std::size_t size, const char* src) {
    std::size_t i = 0;
    for (; src[i]; ++i) {
        if (i + 1 >= size) return false;
        dst[i] = src[i];
    }
    dst[i] = '\0';
    return true;
}

// Split one line into words ("double quotes" group and are removed; '#'
// starts a comment). Returns the number of words, -1 on a bad quote.
int split(const char* line, std::size_t len, char words[][ARGS_MAX], int max) {
    int n = 0;
    std::size_t i = 0;
    while (i < len) {
        while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
        if (i == len || line[i] == '#') break;
        if (n == max) return -1;
        std::size_t w = 0;
        bool quoted = false;
        for (; i < len; ++i) {
            const char c = line[i];
            if (c == '"') {
                quoted = !quoted;
                continue;
            }
            if (!quoted && (c == ' ' || c == '\t' || c == '\r' || c == '#')) break;
            if (w + 1 < ARGS_MAX) words[n][w++] = c;
        }
        if (quoted) return -1;
        words[n++][w] = '\0';
    }
    return n;
}

bool parse_int(const char* s, int* out) {
    if (!*s) return false;
    int v = 0;
    for (; *s; ++s) {
        if (*s < '0' || *s > '9' || v > 100000) return false;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return true;
}

const char* basename(const char* path) {
    const char* b = path;
    for (; *path; ++path)
        if (*path == '/') b = path + 1;
    return b;
}

bool parse_line(const char* conf, const char* line, std::size_t len, int lineno) {
    static char w[16][ARGS_MAX];
    const int n = split(line, len, w, 16);
    if (n == 0) return true;
    auto fail = [&](const char* what, const char* word) {
        kprintf("i386: %s:%d: %s%s%s\n", conf, lineno, what, word ? " " : "", word ? word : "");
        return false;
    };
    if (n < 0) return fail("unterminated quote or too many words", nullptr);
    if (equal(w[0], "expect") || equal(w[0], "fail") || equal(w[0], "ready")) {
        if (n != 2 || !w[1][0]) return fail("needs one (quoted) text:", w[0]);
        const LogWatch kind = equal(w[0], "expect") ? LogWatch::EXPECT
                              : equal(w[0], "fail") ? LogWatch::FAIL
                                                    : LogWatch::READY;
        if (!testmode_watch(kind, w[1])) return fail("too many or too long:", w[0]);
        return true;
    }
    if (equal(w[0], "client") || equal(w[0], "kernel")) {
        // Linux-host slots (a kernel thread, an in-kernel proxy): the same
        // config boots here without them.
        kprintf("i386: %s:%d: '%s' entry %s skipped (Linux host only)\n", conf, lineno, w[0],
                n > 2 ? w[2] : "?");
        return true;
    }
    if (!equal(w[0], "proc")) return fail("unknown entry (expected proc):", w[0]);
    if (n < 3) return fail("'proc' needs a slot and a name", nullptr);
    if (nr_entries == MAX_ENTRIES) return fail("too many boot processes", nullptr);
    Entry& e = entries[nr_entries];
    e = Entry{};
    e.line = lineno;
    copy_word(e.sig_mgr, sizeof e.sig_mgr, "NONE");
    if (!parse_int(w[1], &e.slot)) return fail("bad slot number", w[1]);
    if (!copy_word(e.name, sizeof e.name, w[2])) return fail("name too long:", w[2]);
    for (int i = 3; i < n; ++i) {
        const char* t = w[i];
        if (equal(t, "sys")) {
            e.sys = true;
        } else if (equal(t, "user")) {
            e.sys = false;
        } else if (starts_with(t, "program=") && t[8]) {
            if (!copy_word(e.program, sizeof e.program, basename(t + 8)))
                return fail("program name too long:", t);
        } else if (starts_with(t, "args=")) {
            // Words separated by blanks become NUL-separated arguments.
            std::size_t k = 0;
            bool in_word = false;
            for (const char* c = t + 5; *c; ++c) {
                if (k + 2 >= ARGS_MAX) return fail("arguments too long:", t);
                if (*c == ' ' || *c == '\t') {
                    if (in_word) e.args[k++] = '\0';
                    in_word = false;
                } else {
                    e.args[k++] = *c;
                    in_word = true;
                }
            }
            if (in_word) e.args[k++] = '\0';
            e.args_len = k;
        } else if (equal(t, "ipc=all") || equal(t, "ipc=none")) {
            e.ipc_given = true;
            e.ipc_all = equal(t, "ipc=all");
        } else if (equal(t, "calls=all") || equal(t, "calls=basic")) {
            e.all_calls = equal(t, "calls=all");
        } else if (starts_with(t, "sigmgr=") && t[7]) {
            if (!copy_word(e.sig_mgr, sizeof e.sig_mgr, t + 7)) return fail("bad sigmgr", t);
        } else {
            return fail("unknown or misplaced option", t);
        }
    }
    if (!e.ipc_given) e.ipc_all = e.sys;
    if (!e.program[0]) return fail("'proc' needs program=MODULE", nullptr);
    ++nr_entries;
    return true;
}

// The value of key=VALUE on the kernel command line, or nullptr.
const char* cmdline_value(const char* cmdline, const char* key, char* buf, std::size_t size) {
    for (const char* s = cmdline; s && *s;) {
        while (*s == ' ') ++s;
        if (starts_with(s, key)) {
            const char* v = s + 0;
            while (*key) ++v, ++key;
            std::size_t i = 0;
            while (v[i] && v[i] != ' ' && i + 1 < size) buf[i] = v[i], ++i;
            buf[i] = '\0';
            return buf;
        }
        while (*s && *s != ' ') ++s;
    }
    return nullptr;
}

endpoint_t sig_mgr_endpoint(const Entry& e, bool* ok) {
    *ok = true;
    if (equal(e.sig_mgr, "SELF")) return SELF;
    if (equal(e.sig_mgr, "NONE")) return NONE;
    for (int i = 0; i < nr_entries; ++i)
        if (equal(entries[i].name, e.sig_mgr)) return make_endpoint(0, entries[i].slot);
    *ok = false;
    return NONE;
}

}  // namespace

bool cmdline_has(const char* cmdline, const char* word) {
    for (const char* s = cmdline; s && *s;) {
        while (*s == ' ') ++s;
        const char* w = word;
        const char* t = s;
        while (*w && *t == *w) ++t, ++w;
        if (!*w && (*t == ' ' || *t == '\0')) return true;
        while (*s && *s != ' ') ++s;
    }
    return false;
}

bool boot_processes_start(const char* cmdline) {
    char conf_buf[WORD_MAX];
    const char* conf = cmdline_value(cmdline, "conf=", conf_buf, sizeof conf_buf);
    if (!conf) conf = "boot.conf";
    const Module* m = module_find(conf);
    if (!m) {
        kprintf("i386: no boot config module '%s'; modules:", conf);
        for (int i = 0; i < module_count(); ++i) kprintf(" %s", module_at(i)->name);
        kprintf("\n");
        return false;
    }
    const char* text = reinterpret_cast<const char*>(m->data);
    int lineno = 1;
    for (std::size_t start = 0; start < m->size; ++lineno) {
        std::size_t end = start;
        while (end < m->size && text[end] != '\n') ++end;
        if (!parse_line(conf, text + start, end - start, lineno)) return false;
        start = end + 1;
    }

    constexpr std::uint32_t traps = (1u << SEND) | (1u << RECEIVE) | (1u << SENDREC) |
                                    (1u << NOTIFY) | (1u << SENDNB) | (1u << SENDA);
    for (int i = 0; i < nr_entries; ++i) {
        const Entry& e = entries[i];
        bool ok = false;
        const endpoint_t mgr = sig_mgr_endpoint(e, &ok);
        if (!ok) {
            kprintf("i386: %s:%d: sigmgr=%s is not a boot process\n", conf, e.line, e.sig_mgr);
            return false;
        }
        if (!module_find(e.program)) {
            kprintf("i386: %s:%d: no boot module named '%s'\n", conf, e.line, e.program);
            return false;
        }
        // calls=all (RS) also brings every authority flag (umk/priv_flags.h).
        const std::uint32_t auth = e.all_calls ? AUTHORITY_FLAGS : 0u;
        const BootPriv priv{e.sys ? (SYS_PROC | PREEMPTIBLE | auth) : 0u, traps, e.ipc_all,
                            e.all_calls, mgr};
        boot_table[i] = BootProc{e.slot, e.name, e.sys, priv};
    }
    const int r = kernel_init(boot_table, nr_entries);
    if (r != OK) {
        kprintf("i386: kernel_init refused the boot config %s: %s\n", conf, errno_name(r));
        return false;
    }
    for (int i = 0; i < nr_entries; ++i) {
        const Entry& e = entries[i];
        const int s = arch::proc_spawn(*proc_addr(e.slot), e.program, e.args, e.args_len);
        if (s != OK) {
            kprintf("i386: cannot start %s from module %s: %s\n", e.name, e.program, errno_name(s));
            return false;
        }
        kprintf("i386: boot process %s (slot %d, endpoint %d) from module %s, %u pages\n", e.name,
                e.slot, proc_addr(e.slot)->p_endpoint, e.program,
                proc_addr(e.slot)->p_arch.user_pages);
    }
    return true;
}

}  // namespace umk::i386
