// Watching the kernel log: the boot-time measurement and, when the kernel
// command line says `test`, ending the machine on a verdict.
//
// Ring-3 code has no I/O ports, so a test scenario reports the way every
// service reports: lines in the kernel log (SYS_DIAGCTL). The boot config
// lists what to wait for (bootconf.cc: expect/fail/ready). With `test` on
// the command line the kernel exits QEMU with ExitCode::PASS once every
// `expect` text has appeared, and with ExitCode::FAIL when a `fail` text
// appears; a line containing "umk-test: PASS" / "umk-test: FAIL" does the
// same. The `ready` text (default "all services ready") is timed in any
// mode.
#include "machine.h"
#include "umk/kernel.h"

namespace umk::i386 {
namespace {

constexpr int MAX_WATCH = 16;
constexpr std::size_t TEXT_MAX = 96;

struct Watch {
    LogWatch kind;
    char text[TEXT_MAX];
    bool seen;
};
Watch watches[MAX_WATCH];
int nr_watches;
int nr_expected;
int nr_seen;

bool test_mode = false;
bool busy = false;  // our own kprintf goes through the log too
bool ready_seen = false;
bool custom_ready = false;

bool contains(const char* s, std::size_t len, const char* what) {
    std::size_t n = 0;
    while (what[n]) ++n;
    for (std::size_t i = 0; i + n <= len; ++i) {
        std::size_t k = 0;
        while (k < n && s[i + k] == what[k]) ++k;
        if (k == n) return true;
    }
    return false;
}

void report_ready() {
    ready_seen = true;
    kprintf(
        "i386: measure: boot to services-ready %u ms (TSC, from kernel entry; uptime %u "
        "ticks)\n",
        static_cast<unsigned>(ms_since_boot()), static_cast<unsigned>(uptime()));
}

}  // namespace

void testmode_enable() {
    test_mode = true;
}

bool testmode_watch(LogWatch kind, const char* text) {
    if (nr_watches == MAX_WATCH) return false;
    Watch& w = watches[nr_watches];
    std::size_t i = 0;
    for (; text[i]; ++i) {
        if (i + 1 >= TEXT_MAX) return false;
        w.text[i] = text[i];
    }
    w.text[i] = '\0';
    w.kind = kind;
    w.seen = false;
    ++nr_watches;
    if (kind == LogWatch::EXPECT) ++nr_expected;
    if (kind == LogWatch::READY) custom_ready = true;
    return true;
}

void testmode_log_line(const char* line, std::size_t len) {
    if (busy) return;
    busy = true;
    if (!ready_seen && !custom_ready && contains(line, len, "all services ready")) report_ready();
    bool fail = contains(line, len, "umk-test: FAIL");
    bool pass = contains(line, len, "umk-test: PASS");
    for (int i = 0; i < nr_watches; ++i) {
        Watch& w = watches[i];
        if (w.seen || !contains(line, len, w.text)) continue;
        switch (w.kind) {
            case LogWatch::READY:
                w.seen = true;
                if (!ready_seen) report_ready();
                break;
            case LogWatch::FAIL:
                fail = true;
                break;
            case LogWatch::EXPECT:
                w.seen = true;
                if (++nr_seen == nr_expected) pass = true;
                break;
        }
    }
    if (test_mode && fail) {
        kprintf("i386: test failed (a failure line appeared); exiting\n");
        machine_exit(ExitCode::FAIL);
    }
    if (test_mode && pass) {
        kprintf("i386: test passed after %u ms; exiting\n", static_cast<unsigned>(ms_since_boot()));
        machine_exit(ExitCode::PASS);
    }
    busy = false;
}

}  // namespace umk::i386
