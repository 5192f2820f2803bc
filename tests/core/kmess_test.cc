// The kernel message ring (umk/kmess.cc) and SYS_DIAGCTL's REGISTER,
// UNREGISTER and TAKE: text goes straight to the console without a live
// reader, waits in the ring (and raises SIGKMESS) with one, is taken
// exactly once across a reader's death, restart and live update, and is
// printed directly when the reader falls behind.
#include <cstring>
#include <string>

#include "calls_harness.h"

namespace umk {
namespace {

using namespace test;

int diagctl(Proc& p, int code, vir_bytes buf = 0, int len = 0, message* reply = nullptr) {
    message m{};
    m.DIAG_CODE = code;
    m.DIAG_BUF = buf;
    m.DIAG_LEN = len;
    return kc(p, SYS_DIAGCTL, m, reply);
}

// p logs `text` with DIAGCTL DIAG (from its fake memory at 0x800).
int log_text(Proc& p, const std::string& text) {
    write_mem(p, mem_addr(0x800), text.data(), text.size());
    return diagctl(p, DIAGCTL_CODE_DIAG, mem_addr(0x800), static_cast<int>(text.size()));
}

// p takes up to `max` bytes (DIAGCTL TAKE); returns them ("" and *result
// on failure). With `confirm`, p then reports all of them shown (SHOWN),
// as a reader does once it has written them.
std::string take(Proc& p, int max = KMESS_BUF_SIZE, int* result = nullptr, int* left = nullptr,
                 bool confirm = true) {
    message reply{};
    const int r = diagctl(p, DIAGCTL_CODE_TAKE, mem_addr(0x1000), max, &reply);
    if (result) *result = r;
    if (r != OK) return "";
    if (left) *left = reply.DIAG_LEFT;
    std::string s(static_cast<std::size_t>(reply.DIAG_LEN), '\0');
    read_mem(p, mem_addr(0x1000), s.data(), s.size());
    if (confirm) {
        EXPECT_EQ(diagctl(p, DIAGCTL_CODE_SHOWN, 0, reply.DIAG_LEN), OK);
    }
    return s;
}
std::string take_unconfirmed(Proc& p, int max = KMESS_BUF_SIZE) {
    return take(p, max, nullptr, nullptr, false);
}

// SIGKMESS is pending for p (p never receives in these tests, so the
// signal stays in its pending set); clears it for the next check.
bool got_sigkmess(Proc& p) {
    const bool pending = sig_has(priv(p)->s_sig_pending, SIGKMESS);
    sig_del(priv(p)->s_sig_pending, SIGKMESS);
    return pending;
}

// `text` as it reaches the ring from svc2: every line labelled "[svc2] ".
std::string svc2(const std::string& text) {
    std::string out;
    bool start = true;
    for (char c : text) {
        if (start) out += "[svc2] ";
        out += c;
        start = c == '\n';
    }
    return out;
}

// p registers as the log reader, with the privilege RS gives TTY.
int register_reader(Proc& p) {
    priv(p)->s_flags |= LOG_READER;
    return diagctl(p, DIAGCTL_CODE_REGISTER);
}

// SVC is the reader (TTY), SVC2 a service that logs.
void boot_with_reader() {
    boot_managed();
    ASSERT_EQ(register_reader(proc(SVC)), OK);
    EXPECT_TRUE(priv_of(SVC).s_diag_sig);
    fake::clear_log();
}

TEST(Kmess, WithoutReaderTextGoesStraightToTheConsole) {
    boot_managed();
    kprintf("kernel: %d\n", 42);
    EXPECT_EQ(log_text(proc(SVC2), "svc2: hi\n"), OK);
    EXPECT_EQ(kernel_log(), "kernel: 42\n[svc2] svc2: hi\n");
    EXPECT_EQ(kmess_unshown(), 0u);
}

TEST(Kmess, RegisteredReaderGetsSigkmessAndTakesTheText) {
    boot_with_reader();
    EXPECT_EQ(log_text(proc(SVC2), "svc2: one\n"), OK);
    kprintf("kernel: two\n");
    EXPECT_EQ(kernel_log(), "") << "the text waits for the reader";
    EXPECT_EQ(kmess_unshown(), 29u);
    EXPECT_TRUE(got_sigkmess(proc(SVC)));

    int left = -1;
    EXPECT_EQ(take(proc(SVC), 14, nullptr, &left), "[svc2] svc2: o");
    EXPECT_EQ(left, 15);
    EXPECT_EQ(take(proc(SVC), KMESS_BUF_SIZE, nullptr, &left), "ne\nkernel: two\n");
    EXPECT_EQ(left, 0);
    EXPECT_EQ(take(proc(SVC)), "");
    EXPECT_EQ(kernel_log(), "");
}

TEST(Kmess, SigkmessArrivesAsANotificationFromSystem) {
    boot_with_reader();
    EXPECT_EQ(log_text(proc(SVC2), "svc2: one\n"), OK);
    const message n = receive_now(proc(SVC), SYSTEM);
    EXPECT_EQ(n.m_source, SYSTEM);
    EXPECT_EQ(n.m_type, notify_from(SYSTEM));
    EXPECT_TRUE(sig_has(static_cast<sigset_t_>(n.NOTIFY_ARG), SIGKMESS));
}

TEST(Kmess, RegisteringWithABacklogRaisesSigkmess) {
    boot_managed();
    Proc& tty = proc(SVC);
    rts_set(tty, RTS_PROC_STOP);  // not live yet: text is printed directly
    EXPECT_EQ(diagctl(proc(SVC2), DIAGCTL_CODE_DIAG), -EINVAL);
    rts_unset(tty, RTS_PROC_STOP);
    EXPECT_EQ(register_reader(tty), OK);
    EXPECT_FALSE(got_sigkmess(tty)) << "nothing waiting";
    EXPECT_EQ(log_text(proc(SVC2), "x\n"), OK);
    EXPECT_TRUE(got_sigkmess(tty));
}

TEST(Kmess, TakenTextIsOnlyLentUntilShown) {
    boot_with_reader();
    EXPECT_EQ(log_text(proc(SVC2), "one\ntwo\n"), OK);
    int left = -1;
    EXPECT_EQ(take(proc(SVC), 100, nullptr, &left, false), svc2("one\ntwo\n"));
    EXPECT_EQ(left, 0);
    EXPECT_EQ(kmess_unshown(), 22u) << "lent, not shown";
    // The reader wrote the first line, then asks again: the rest comes again.
    EXPECT_EQ(diagctl(proc(SVC), DIAGCTL_CODE_SHOWN, 0, 11), OK);
    EXPECT_EQ(kmess_unshown(), 11u);
    EXPECT_EQ(take_unconfirmed(proc(SVC)), svc2("two\n"));
    EXPECT_EQ(diagctl(proc(SVC), DIAGCTL_CODE_SHOWN, 0, 12), -EINVAL) << "only 11 lent";
    EXPECT_EQ(diagctl(proc(SVC), DIAGCTL_CODE_SHOWN, 0, -1), -EINVAL);
    priv_of(SVC2).s_flags |= LOG_READER;  // a log reader, but not the registered one
    EXPECT_EQ(diagctl(proc(SVC2), DIAGCTL_CODE_SHOWN, 0, 11), -EPERM) << "not the reader";
    EXPECT_EQ(diagctl(proc(SVC), DIAGCTL_CODE_SHOWN, 0, 11), OK);
    EXPECT_EQ(kmess_unshown(), 0u);
    EXPECT_EQ(diagctl(proc(SVC), DIAGCTL_CODE_SHOWN, 0, 0), OK);
    EXPECT_EQ(take(proc(SVC)), "");
    EXPECT_EQ(kernel_log(), "");
}

TEST(Kmess, ReaderKilledWhileWritingLosesNothing) {
    boot_with_reader();
    EXPECT_EQ(log_text(proc(SVC2), "a\nb\nc\n"), OK);
    EXPECT_EQ(take_unconfirmed(proc(SVC)), svc2("a\nb\nc\n"));
    EXPECT_EQ(diagctl(proc(SVC), DIAGCTL_CODE_SHOWN, 0, 9), OK);  // wrote "[svc2] a\n", then died
    proc_fault(proc(SVC), SIGKILL, true);
    // The replica registers before the kernel noticed: it is lent the rest.
    Proc& tty2 = spawn_sys("tty2");
    EXPECT_EQ(register_reader(tty2), OK);
    EXPECT_EQ(take(tty2), svc2("b\nc\n"));
    clock_tick();
    EXPECT_EQ(kernel_log(), "");
}

TEST(Kmess, KprintfRaisesSigkmessOnlyAtTheNextTick) {
    boot_with_reader();
    kprintf("kernel: deferred\n");
    EXPECT_FALSE(got_sigkmess(proc(SVC)));
    clock_tick();
    EXPECT_TRUE(got_sigkmess(proc(SVC)));
    EXPECT_EQ(take(proc(SVC)), "kernel: deferred\n");
}

TEST(Kmess, RingWrapsAroundWithoutLosingBytes) {
    boot_with_reader();
    std::string all;
    for (int round = 0; round < 12; ++round) {
        const std::string line(1500, static_cast<char>('a' + round));
        EXPECT_EQ(log_text(proc(SVC2), line), OK);
        all += take(proc(SVC), 1000);
        all += take(proc(SVC), 1000);
    }
    // One unfinished line of svc2's: labelled once, at its start.
    ASSERT_EQ(all.substr(0, 7), "[svc2] ");
    all = all.substr(7);
    EXPECT_EQ(all.size(), 12u * 1500u);
    for (int round = 0; round < 12; ++round)
        EXPECT_EQ(all.substr(round * 1500u, 1500u),
                  std::string(1500, static_cast<char>('a' + round)));
    EXPECT_EQ(kernel_log(), "");
}

TEST(Kmess, RegisterAndTakeAreForSystemProcessesOnly) {
    boot_managed();
    int r = OK;
    EXPECT_EQ(take(proc(SVC), 10, &r), "");
    EXPECT_EQ(r, -EPERM) << "not registered";
    priv_of(SVC2).s_flags = (priv_of(SVC2).s_flags | LOG_READER) & ~SYS_PROC;
    EXPECT_EQ(diagctl(proc(SVC2), DIAGCTL_CODE_REGISTER), -EPERM);
    EXPECT_EQ(diagctl(proc(SVC2), DIAGCTL_CODE_UNREGISTER), -EPERM);
    EXPECT_FALSE(priv_of(SVC2).s_diag_sig);
    // User processes make no kernel calls at all.
    EXPECT_EQ(diagctl(proc(USER), DIAGCTL_CODE_REGISTER), -ECALLDENIED);
}

// The log hijack: a system process without LOG_READER can neither register
// nor take or confirm text; the kernel says so, and text keeps reaching
// the console.
TEST(HostileLog, ReaderNeedsTheLogReaderPrivilege) {
    boot_managed();
    EXPECT_EQ(diagctl(proc(SVC2), DIAGCTL_CODE_REGISTER), -EPERM);
    EXPECT_FALSE(priv_of(SVC2).s_diag_sig);
    EXPECT_NE(kernel_log().find("diagctl: svc2 (endpoint " + std::to_string(proc(SVC2).p_endpoint) +
                                ") may not REGISTER as the log reader: EPERM\n"),
              std::string::npos)
        << kernel_log();
    EXPECT_EQ(diagctl(proc(SVC2), DIAGCTL_CODE_UNREGISTER), -EPERM);
    int r = OK;
    EXPECT_EQ(take(proc(SVC2), 10, &r), "");
    EXPECT_EQ(r, -EPERM);
    EXPECT_EQ(diagctl(proc(SVC2), DIAGCTL_CODE_SHOWN, 0, 0), -EPERM);
    fake::clear_log();
    EXPECT_EQ(log_text(proc(SVC), "svc: still shown\n"), OK);
    EXPECT_EQ(kernel_log(), "[svc] svc: still shown\n");
}

// The log forgery: every line of a process's text carries its name as the
// kernel knows it, and control characters are escaped, so neither a fake
// kernel line nor a terminal escape reaches the console as such.
TEST(HostileLog, ProcessTextIsLabelledAndEscaped) {
    boot_managed();
    const std::string evil = std::string("kernel: fake\n\x1b[2J\x01\x7f\xff\tok\r") + "x\n";
    EXPECT_EQ(log_text(proc(SVC2), evil), OK);
    EXPECT_EQ(kernel_log(), "[svc2] kernel: fake\n[svc2] \\x1b[2J\\x01\\x7f\\xff\tok\\x0dx\n");
}

TEST(HostileLog, UnfinishedLinesKeepTheirSource) {
    boot_managed();
    EXPECT_EQ(log_text(proc(SVC2), "svc2: part"), OK);
    EXPECT_EQ(log_text(proc(SVC2), " two\nsvc2: three"), OK);
    kprintf("kernel: between\n");
    EXPECT_EQ(log_text(proc(SVC), "svc: mine"), OK);
    EXPECT_EQ(log_text(proc(SVC2), "\n"), OK);
    EXPECT_EQ(kernel_log(),
              "[svc2] svc2: part two\n[svc2] svc2: three\nkernel: between\n[svc] svc: mine\n"
              "[svc2] \n");
}

TEST(Kmess, TakeErrorsLeaveTheTextUnshown) {
    boot_with_reader();
    EXPECT_EQ(log_text(proc(SVC2), "svc2: kept\n"), OK);
    EXPECT_EQ(diagctl(proc(SVC), DIAGCTL_CODE_TAKE, mem_addr(0), 0), -EINVAL);
    EXPECT_EQ(diagctl(proc(SVC), DIAGCTL_CODE_TAKE, mem_addr(0), KMESS_BUF_SIZE + 1), -EINVAL);
    EXPECT_EQ(diagctl(proc(SVC), DIAGCTL_CODE_TAKE, 0x10, 100), -EFAULT);
    EXPECT_EQ(diagctl(proc(SVC), DIAGCTL_CODE_SHOWN, 0, 1), -EINVAL) << "nothing lent";
    EXPECT_EQ(kmess_unshown(), 18u);
    EXPECT_EQ(take(proc(SVC)), "[svc2] svc2: kept\n");
}

TEST(Kmess, UnregisterGoesBackToDirectOutputWithTheBacklogFirst) {
    boot_with_reader();
    EXPECT_EQ(log_text(proc(SVC2), "svc2: waiting\n"), OK);
    EXPECT_EQ(diagctl(proc(SVC), DIAGCTL_CODE_UNREGISTER), OK);
    EXPECT_FALSE(priv_of(SVC).s_diag_sig);
    // The kernel call's end noticed there is no reader left.
    EXPECT_EQ(kernel_log(), svc2("svc2: waiting\n"));
    EXPECT_EQ(log_text(proc(SVC2), "svc2: after\n"), OK);
    EXPECT_EQ(kernel_log(), svc2("svc2: waiting\nsvc2: after\n"));
    int r = OK;
    take(proc(SVC), 10, &r);
    EXPECT_EQ(r, -EPERM);
}

TEST(Kmess, DeadReaderLosesNothingAndTheReplacementContinues) {
    boot_with_reader();
    EXPECT_EQ(log_text(proc(SVC2), "line 1\n"), OK);
    EXPECT_EQ(take(proc(SVC)), svc2("line 1\n"));
    EXPECT_EQ(log_text(proc(SVC2), "line 2\n"), OK);
    EXPECT_EQ(log_text(proc(SVC2), "line 3\n"), OK);
    EXPECT_EQ(take_unconfirmed(proc(SVC), 14), svc2("line 2\n"));  // the reader dies writing it
    proc_fault(proc(SVC), SIGKILL, true);
    clock_tick();
    EXPECT_EQ(kernel_log(), svc2("line 2\nline 3\n"))
        << "a dead reader's backlog is printed by the kernel, lent text included";
    EXPECT_EQ(log_text(proc(SVC2), "line 3b\n"), OK);
    EXPECT_EQ(kernel_log(), svc2("line 2\nline 3\nline 3b\n"));

    // RS starts a replacement, which registers; the dead one is cleared.
    Proc& tty2 = spawn_sys("tty2");
    EXPECT_EQ(register_reader(tty2), OK);
    fake::clear_log();
    EXPECT_EQ(log_text(proc(SVC2), "line 4\n"), OK);
    message clr{};
    clr.PR_ENDPT = ep(SVC);
    EXPECT_EQ(kc(proc(RS), SYS_CLEAR, clr), OK);
    EXPECT_EQ(take(tty2), svc2("line 4\n"));
    EXPECT_EQ(kernel_log(), "") << "nothing printed twice";
}

TEST(Kmess, ClearedSlotForgetsTheRegistration) {
    boot_with_reader();
    const sys_id_t id = priv_of(SVC).s_id;
    message clr{};
    clr.PR_ENDPT = ep(SVC);
    EXPECT_EQ(kc(proc(RS), SYS_CLEAR, clr), OK);
    EXPECT_FALSE(priv_table[id].s_diag_sig);
    Proc& next = spawn_sys("next");  // likely reuses the privilege id
    EXPECT_FALSE(priv(next)->s_diag_sig);
    EXPECT_EQ(log_text(proc(SVC2), "svc2: direct\n"), OK);
    EXPECT_EQ(kernel_log(), svc2("svc2: direct\n"));
}

TEST(Kmess, StuckReaderBacklogIsPrintedDirectlyWithOneLine) {
    boot_with_reader();
    const std::string line(1000, 'x');
    std::size_t appended = 0;
    while (kernel_log().empty()) {
        ASSERT_EQ(log_text(proc(SVC2), line), OK);
        appended += line.size();
        ASSERT_LT(appended, 2u * KMESS_BUF_SIZE);
    }
    // Everything before the last append, then the notice.
    const std::string log = kernel_log();
    const std::size_t notice = log.find("kernel: the log reader is not keeping up");
    ASSERT_NE(notice, std::string::npos) << log;
    // svc2's one unfinished line, labelled at its start.
    EXPECT_EQ(log.substr(0, 7), "[svc2] ");
    EXPECT_EQ(notice, 7 + appended - line.size());
    EXPECT_EQ(log.find_first_not_of('x', 7), notice);
    EXPECT_EQ(log.back(), '\n');
    // The last append waits for the reader; nothing is lost or doubled.
    EXPECT_EQ(take(proc(SVC)), line);
    EXPECT_EQ(kmess_unshown(), 0u);
}

TEST(Kmess, LiveUpdatedReaderLosesAndRepeatsNothing) {
    boot_with_reader();
    const endpoint_t old_ep = ep(SVC);
    Proc& new_tty = spawn_sys("tty_v2");
    rts_set(new_tty, RTS_NO_PRIV);  // RS's new version: privileges, not yet allowed
    EXPECT_EQ(log_text(proc(SVC2), "before\n"), OK);
    EXPECT_EQ(receive_now(proc(SVC)).m_source, SYSTEM);  // the SIGKMESS notification
    EXPECT_EQ(receive(proc(SVC), ANY), BLOCKED);         // the old version waits at its safe point
    message m{};
    m.SYS_UPD_SRC_ENDPT = new_tty.p_endpoint;
    m.SYS_UPD_DST_ENDPT = old_ep;
    ASSERT_EQ(kc(proc(RS), SYS_UPDATE, m), OK);
    // Privileges travel with the image: the registration is the old
    // image's (now in the other slot); the new one registers in its init.
    EXPECT_FALSE(priv_of(SVC).s_diag_sig);
    EXPECT_TRUE(priv(new_tty)->s_diag_sig);
    ASSERT_EQ(kc(proc(RS), SYS_PRIVCTL, privctl_msg(old_ep, SYS_PRIV_ALLOW)), OK);
    EXPECT_EQ(register_reader(proc(SVC)), OK);
    EXPECT_EQ(log_text(proc(SVC2), "after\n"), OK);
    message clr{};
    clr.PR_ENDPT = new_tty.p_endpoint;  // RS clears the old image
    EXPECT_EQ(kc(proc(RS), SYS_CLEAR, clr), OK);
    // Whatever the kernel printed while the new image was held, plus what
    // the new image takes: every line exactly once, in order.
    EXPECT_EQ(kernel_log() + take(proc(SVC)), svc2("before\nafter\n"));
}

TEST(Kmess, FlushDirectForAPanicWritesTheBacklog) {
    boot_with_reader();
    EXPECT_EQ(log_text(proc(SVC2), "last words\n"), OK);
    kmess_flush_direct();
    EXPECT_EQ(kernel_log(), svc2("last words\n"));
    kprintf("kernel panic: x\n");
    EXPECT_EQ(kernel_log(), svc2("last words\n") + "kernel panic: x\n");
}

}  // namespace
}  // namespace umk

namespace umk {
namespace {

using namespace test;

int count_of(const std::string& text, const std::string& what) {
    int n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

// A service that makes bad calls in a loop cannot fill the log: the kernel
// prints at most KMESS_LINES_PER_SECOND lines a second caused by one
// process, then says once a second how many it dropped. Others' lines still
// get through.
TEST(KmessBudget, LinesCausedByOneProcessAreLimited) {
    boot_managed();
    message m{};
    m.m_type = KERNEL_CALL + NR_SYS_CALLS + 3;  // "illegal request", logged
    for (int i = 0; i < 3 * KMESS_LINES_PER_SECOND; ++i) kcall(proc(SVC), m);
    EXPECT_EQ(count_of(kernel_log(), "illegal request"), KMESS_LINES_PER_SECOND);
    kcall(proc(SVC2), m);
    EXPECT_EQ(count_of(kernel_log(), "from svc2"), 1);
    for (int t = 0; t < HZ; ++t) clock_tick();
    EXPECT_EQ(count_of(kernel_log(), "kernel: 64 more log lines caused by svc (endpoint"), 1)
        << kernel_log();
    // A new second, a new budget.
    fake::clear_log();
    kcall(proc(SVC), m);
    EXPECT_EQ(count_of(kernel_log(), "illegal request"), 1);
}

}  // namespace
}  // namespace umk
