// The kernel message ring (MINIX struct kmessages, kernel/utility.c kputc
// and send_diag_sig) and the kernel's printf.
//
// Every byte of log text - kprintf, SYS_DIAGCTL DIAG - is appended here and
// counted: `next` bytes appended, `shown` bytes written out (by the kernel
// itself or by a reader). Text between the two is only in the ring.
//  - No live reader registered (early boot, a TTY that died or hangs in a
//    frozen slot): the kernel writes the text itself with arch::log_write,
//    first any backlog a reader left, so nothing is lost and the order holds.
//  - A live reader (priv s_diag_sig, see DIAGCTL REGISTER): the text stays
//    in the ring and the reader gets SIGKMESS; it copies the text out with
//    DIAGCTL TAKE (always from `shown`: the bytes are only lent) and, once
//    it has written a piece, confirms it with DIAGCTL SHOWN, which advances
//    `shown`. The position lives in the kernel, so a restarted or updated
//    reader continues at the first byte nobody confirmed: a reader killed
//    at any moment loses nothing, and repeats at most the piece it was
//    writing (TTY confirms line by line).
//  - A reader that does not keep up: before the backlog would pass
//    HIGH_WATER, the kernel writes it directly and says so in one line.
// SIGKMESS is raised after the kernel call or clock tick that added text
// (kmess_kick, kmess_tick), never from inside kprintf: kprintf runs in the middle of
// IPC and signal bookkeeping, where notifying a process could meet
// half-updated state.
#include "arch.h"
#include "core.h"
#include "kernel.h"
#include "priv.h"
#include "umk/err.h"
#include "umk/format.h"
#include "umk/sig.h"

namespace umk {
namespace {

constexpr std::size_t RING = KMESS_BUF_SIZE;
// Above this much unshown text the reader is taken to be stuck. Leaves room
// for one more DIAG_BUF_MAX append without overwriting unshown text.
constexpr std::size_t HIGH_WATER = RING - DIAG_BUF_MAX - 512;
static_assert(HIGH_WATER > 0 && HIGH_WATER + DIAG_BUF_MAX <= RING);

struct KMessages {
    char buf[RING];
    std::uint64_t next;     // bytes ever appended; the next one goes to buf[next % RING]
    std::uint64_t shown;    // bytes before this have been written out
    std::uint64_t lent;     // bytes after `shown` the reader has taken, not yet confirmed
    bool news;              // text appended since the readers were last signalled
    bool direct_forced;     // kmess_flush_direct: a panic is under way
    bool mid_line;          // the last byte appended was not a newline
    endpoint_t line_owner;  // whose text that unfinished line is (NONE: the kernel's)
};
KMessages km;

bool live_reader(const Proc& p) {
    const Priv* pr = priv(p);
    if (!pr || pr == user_priv() || !pr->s_diag_sig || proc_is_free(p)) return false;
    // Dead, held for its signal manager, stopped or without privileges:
    // it will not take anything soon.
    if (p.p_misc_flags & MF_HOST_DEAD) return false;
    return !(p.p_rts_flags & (RTS_SIG_PENDING | RTS_PROC_STOP | RTS_NO_PRIV | RTS_NO_ENDPOINT));
}

// Calls fn(p) for every live reader; returns how many there are.
template <typename Fn>
int for_each_reader(Fn fn) {
    int n = 0;
    for (sys_id_t id = 0; id < NR_SYS_PROCS; ++id) {
        const Priv* pr = priv_by_id(id);
        if (!pr || !pr->s_diag_sig || pr->s_proc_nr == NONE) continue;
        if (!slot_in_range(pr->s_proc_nr)) continue;
        Proc& p = *proc_addr(pr->s_proc_nr);
        if (!live_reader(p)) continue;
        ++n;
        fn(p);
    }
    return n;
}

bool have_reader() {
    return !km.direct_forced && for_each_reader([](Proc&) {}) > 0;
}

std::size_t unshown() {
    return static_cast<std::size_t>(km.next - km.shown);
}

// Write [shown, next) with arch::log_write and mark it shown.
void write_backlog() {
    km.lent = 0;
    while (km.shown != km.next) {
        const std::size_t at = static_cast<std::size_t>(km.shown % RING);
        std::size_t n = unshown();
        if (n > RING - at) n = RING - at;
        arch::log_write(km.buf + at, n);
        km.shown += n;
    }
}

void ring_put(const char* text, std::size_t len) {
    // Only the last RING bytes can be kept (a longer text was written out).
    if (len > RING) {
        text += len - RING;
        km.next += len - RING;
        len = RING;
    }
    for (std::size_t i = 0; i < len; ++i) km.buf[(km.next + i) % RING] = text[i];
    km.next += len;
    if (len > 0) km.mid_line = text[len - 1] != '\n';
}

void say_reader_stuck(std::size_t n) {
    char line[160];
    const int len = format(line, sizeof line,
                           "kernel: the log reader is not keeping up; %lu bytes of log printed "
                           "directly\n",
                           static_cast<unsigned long>(n));
    if (len > 0)
        arch::log_write(line, static_cast<std::size_t>(len) < sizeof line
                                  ? static_cast<std::size_t>(len)
                                  : sizeof line - 1);
}

}  // namespace

void kmess_reset() {
    km.next = 0;
    km.shown = 0;
    km.lent = 0;
    km.news = false;
    km.direct_forced = false;
    km.mid_line = false;
    km.line_owner = NONE;
}

std::size_t kmess_unshown() {
    return unshown();
}

namespace {

void append_raw(const char* text, std::size_t len) {
    if (len == 0) return;
    if (!have_reader()) {
        write_backlog();
        arch::log_write(text, len);
        ring_put(text, len);
        km.shown = km.next;
        return;
    }
    if (unshown() + len > HIGH_WATER) {
        const std::size_t n = unshown();
        write_backlog();
        say_reader_stuck(n + (len > HIGH_WATER ? len : 0));
        if (len > HIGH_WATER) {
            arch::log_write(text, len);
            ring_put(text, len);
            km.shown = km.next;
            return;
        }
    }
    ring_put(text, len);
    km.news = true;
}

// Text of `owner` (NONE: the kernel) starts or goes on: an unfinished line
// of somebody else is ended first, so that every line has one source.
void take_line(endpoint_t owner) {
    if (km.mid_line && km.line_owner != owner) append_raw("\n", 1);
    km.line_owner = owner;
}

}  // namespace

void kmess_append(const char* text, std::size_t len) {
    if (len == 0) return;
    take_line(NONE);
    append_raw(text, len);
}

// A process's text (SYS_DIAGCTL DIAG) gets its source at the start of each
// line, "[NAME] ", NAME as the kernel knows the process; kernel lines never
// start with '['. Control characters other than newline and tab, DEL and
// bytes above 0x7f become \xNN, so that a process can neither forge a line
// of another source nor send the console terminal escapes.
void kmess_append_from(const Proc& p, const char* text, std::size_t len) {
    if (len == 0) return;
    take_line(p.p_endpoint);
    static constexpr char hex[] = "0123456789abcdef";
    // Static: kernel stacks are small. Ordinary text fits and enters the
    // ring in one piece; text that grows beyond it (many escapes or short
    // lines) goes in pieces.
    static char out[2 * DIAG_BUF_MAX];
    std::size_t n = 0;
    auto put = [&](char c) {
        if (n == sizeof out) {
            append_raw(out, n);
            n = 0;
        }
        out[n++] = c;
    };
    bool line_start = !km.mid_line;
    for (std::size_t i = 0; i < len; ++i) {
        if (line_start) {
            put('[');
            for (const char* c = p.p_name; *c; ++c) put(*c);
            put(']');
            put(' ');
            line_start = false;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            put('\n');
            line_start = true;
        } else if (c == '\t' || (c >= 0x20 && c < 0x7f)) {
            put(static_cast<char>(c));
        } else {
            put('\\');
            put('x');
            put(hex[c >> 4]);
            put(hex[c & 0xf]);
        }
    }
    append_raw(out, n);
}

namespace {

// Tell the live readers about new text, or - with none left - write the
// unshown text directly.
void deliver() {
    const bool signal = km.news;
    km.news = false;
    const int readers = km.direct_forced ? 0 : for_each_reader([signal](Proc& p) {
        if (signal) send_sig(p, SIGKMESS);
    });
    if (readers == 0) write_backlog();
}

}  // namespace

void kmess_kick() {
    // Every kernel call ends here: nothing to do unless text was added.
    if (km.news) deliver();
}

void kmess_tick() {
    // Also notices a reader that died or stopped with text unshown.
    if (km.news || km.shown != km.next) deliver();
}

void kmess_reader_added() {
    if (km.shown != km.next) km.news = true;
}

void kmess_reader_removed() {
    // Checked at the end of the call: with no live reader left, the
    // backlog is written at once.
    if (km.shown != km.next) km.news = true;
}

int kmess_take(Proc& p, vir_bytes dst, std::size_t max, std::size_t* got) {
    std::size_t n = unshown();
    if (n > max) n = max;
    // Copy everything first, then lend it: a failed copy changes nothing.
    std::size_t done = 0;
    while (done < n) {
        const std::size_t at = static_cast<std::size_t>((km.shown + done) % RING);
        std::size_t part = n - done;
        if (part > RING - at) part = RING - at;
        const int r = arch::copy_to_proc(p, dst + done, km.buf + at, part);
        if (r != OK) return r;
        done += part;
    }
    km.lent = n;
    *got = n;
    return OK;
}

int kmess_shown(std::size_t n) {
    if (n > km.lent) return -EINVAL;
    km.shown += n;
    km.lent -= n;
    return OK;
}

void kmess_flush_direct() {
    km.direct_forced = true;
    km.news = false;
    write_backlog();
}

namespace {
Proc* log_subject = nullptr;  // the process whose trap is running, if any
}  // namespace

LogSubject::LogSubject(Proc& p) : prev_(log_subject) {
    log_subject = &p;
}
LogSubject::~LogSubject() {
    log_subject = prev_;
}

void kmess_budget_tick() {
    for (Proc& p : proc_table) {
        if (p.p_log_dropped != 0) {
            kprintf("kernel: %u more log lines caused by %s (endpoint %d) were dropped\n",
                    p.p_log_dropped, p.p_name, p.p_endpoint);
        }
        p.p_log_lines = 0;
        p.p_log_dropped = 0;
    }
}

void kprintf(const char* fmt, ...) {
    // Lines the current trap's caller causes are limited: a service that
    // makes bad calls in a loop would otherwise fill the log for everybody.
    if (Proc* p = log_subject) {
        if (p->p_log_lines >= KMESS_LINES_PER_SECOND) {
            ++p->p_log_dropped;
            return;
        }
        ++p->p_log_lines;
    }
    // One line at a time is all the kernel ever prints; longer output is cut.
    static char buf[512];
    va_list ap;
    va_start(ap, fmt);
    const int n = vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    const std::size_t len =
        n < static_cast<int>(sizeof buf) ? static_cast<std::size_t>(n) : sizeof buf - 1;
    kmess_append(buf, len);
}

}  // namespace umk
