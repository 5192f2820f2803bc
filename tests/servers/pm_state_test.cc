// PM's state across a live update and a restart (servers/pm/state.cc): the
// copy of the table crosses intact (parents, zombies and their statuses,
// suspended waits, pids), a damaged copy is refused without touching the
// live state, and after a crash the kernel's process table corrects the
// checkpoint or replaces it.
// umk/sig.h first: the host <signal.h> (pulled in by gtest) defines NSIG as a macro.
#include "umk/sig.h"
// clang-format off
#include <gtest/gtest.h>
// clang-format on

#include <cstring>
#include <functional>
#include <memory>
#include <string>

#include "fake_sys.h"
#include "pm.h"
#include "umk/endpoint.h"
#include "umk/err.h"
#include "umk/priv_flags.h"
#include "umk/proc_flags.h"
#include "umklib/ipc.h"
#include "umklib/pm_proto.h"

namespace {

using namespace umk;

constexpr endpoint_t RS = 2;
constexpr endpoint_t TESTER = 30;  // a system process (test service)

class PmState : public ::testing::Test {
  protected:
    void SetUp() override {
        fake::reset();
        pm::pm_init(PM_PROC_NR, RS);
        fake::route(PM_PROC_NR, [](message& m) { return pm::handle_request(m); });
        next_slot = 60;
        fake::on_sys_spawn = [this](const char*, endpoint_t* ep) {
            *ep = make_endpoint(1, next_slot++);
            return OK;
        };
        fake::set_self(TESTER);
        saved = std::make_unique<pm::PmState>();
    }

    int call(endpoint_t as, message& m) {
        fake::set_self(as);
        int r = ipc_sendrec(PM_PROC_NR, &m);
        fake::set_self(TESTER);
        return r == OK ? m.m_type : r;
    }
    endpoint_t spawn(endpoint_t as, const char* prog = "user_prog") {
        message m{};
        m.m_type = PM_SPAWN;
        std::strncpy(m.PM_PROGRAM, prog, sizeof m.PM_PROGRAM - 1);
        EXPECT_EQ(call(as, m), OK);
        return m.PM_ENDPT;
    }
    void exit(endpoint_t as, int code) {
        message m{};
        m.m_type = PM_EXIT;
        m.PM_STATUS = code;
        call(as, m);
    }
    int wait(endpoint_t as, endpoint_t child, message* out = nullptr) {
        message m{};
        m.m_type = PM_WAIT;
        m.PM_ENDPT = child;
        int r = call(as, m);
        if (out) *out = m;
        return r;
    }
    // A new instance of PM: empty, then given the old one's checkpoint.
    int new_instance() {
        pm::state_save(*saved);
        pm::pm_init(PM_PROC_NR, RS);
        return pm::state_load(*saved, sizeof *saved, &why);
    }
    // Save, change one thing, load: refused, and the live state untouched.
    void expect_refused(const std::function<void(pm::PmState&)>& damage, const char* reason) {
        pm::state_save(*saved);
        damage(*saved);
        const auto before = std::make_unique<pm::PmState>();
        pm::state_save(*before);
        why = nullptr;
        EXPECT_EQ(pm::state_load(*saved, sizeof *saved, &why), -EINVAL) << reason;
        ASSERT_NE(why, nullptr);
        EXPECT_STREQ(why, reason);
        const auto after = std::make_unique<pm::PmState>();
        pm::state_save(*after);
        EXPECT_EQ(std::memcmp(before.get(), after.get(), sizeof *before), 0) << reason;
    }
    static proc_info kernel_proc(endpoint_t ep, const char* name, bool user,
                                 std::uint32_t rts = 0) {
        proc_info k{};
        k.endpoint = ep;
        k.slot = endpoint_slot(ep);
        k.rts_flags = rts;
        std::strncpy(k.name, name, sizeof k.name - 1);
        k.sig_mgr = user ? PM_PROC_NR : RS;
        k.priv_flags = user ? 0 : SYS_PROC;
        k.priv_id = user ? 1 : 5;
        return k;
    }
    int index_of(const pm::PmState& s, endpoint_t ep) {
        for (int i = 0; i < pm::NR_MPROCS; ++i)
            if ((s.mproc[i].flags & pm::MP_IN_USE) && s.mproc[i].endpoint == ep) return i;
        return -1;
    }

    int next_slot = 60;
    const char* why = nullptr;
    std::unique_ptr<pm::PmState> saved;
};

// The table crosses: who is whose child, a zombie with its status, a
// suspended wait (answered by the new instance), the pid counter.
TEST_F(PmState, EverythingCrossesToTheNextInstance) {
    const endpoint_t a = spawn(TESTER);
    const endpoint_t b = spawn(TESTER);
    const endpoint_t grandchild = spawn(a);
    exit(b, 4);                                // a zombie until TESTER waits
    EXPECT_EQ(wait(a, grandchild), -ELOCKED);  // suspended in the old instance
    const int pid_a = pm::user_process(a)->pid;

    ASSERT_EQ(new_instance(), OK) << why;
    ASSERT_NE(pm::user_process(a), nullptr);
    EXPECT_EQ(pm::user_process(a)->parent, TESTER);
    EXPECT_EQ(pm::user_process(a)->pid, pid_a);
    EXPECT_STREQ(pm::user_process(a)->name, "user_prog");
    EXPECT_EQ(pm::user_process(grandchild)->parent, a);
    EXPECT_EQ(pm::waits_pending(), 1);
    ASSERT_NE(pm::lookup(b), nullptr);
    EXPECT_EQ(pm::user_process(b), nullptr);  // still a zombie

    // The new instance answers the wait the old one suspended.
    fake::sent().clear();
    exit(grandchild, 9);
    ASSERT_EQ(fake::sent().size(), 2u);  // devman's note, then a's answer
    EXPECT_EQ(fake::sent()[1].to, a);
    EXPECT_EQ(fake::sent()[1].m.PM_ENDPT, grandchild);
    EXPECT_EQ(pm_exit_code(fake::sent()[1].m.PM_STATUS), 9);
    // The zombie's status crossed; pids go on where they were.
    message r{};
    EXPECT_EQ(wait(TESTER, b, &r), OK);
    EXPECT_EQ(pm_exit_code(r.PM_STATUS), 4);
    const endpoint_t c = spawn(TESTER);
    EXPECT_EQ(pm::user_process(c)->pid, 4);
}

TEST_F(PmState, ChangesMarkTheStateForACheckpoint) {
    pm::state_clean();
    const endpoint_t a = spawn(TESTER);
    EXPECT_TRUE(pm::state_dirty());
    pm::state_clean();
    message m{};
    m.m_type = PM_GETPID;
    call(a, m);
    EXPECT_FALSE(pm::state_dirty());  // a question changes nothing
    EXPECT_EQ(wait(TESTER, a), -ELOCKED);
    EXPECT_TRUE(pm::state_dirty());
    pm::state_clean();
    EXPECT_EQ(pm::sig_manager(a, SIGTERM), -EDEADSRCDST);  // the kernel's path
    EXPECT_TRUE(pm::state_dirty());
}

TEST_F(PmState, ADamagedCheckpointIsRefusedAndChangesNothing) {
    const endpoint_t a = spawn(TESTER);
    const endpoint_t b = spawn(TESTER);
    EXPECT_EQ(wait(TESTER, a), -ELOCKED);
    pm::state_save(*saved);
    const int ia = index_of(*saved, a);
    const int ib = index_of(*saved, b);
    ASSERT_GE(ia, 0);
    ASSERT_GE(ib, 0);
    int iw = -1;
    for (int i = 0; i < pm::NR_WAITERS; ++i)
        if (saved->waiters[i].in_use) iw = i;
    ASSERT_GE(iw, 0);

    expect_refused([](pm::PmState& s) { s.magic ^= 1; }, "the checkpoint has no PM magic");
    expect_refused([](pm::PmState& s) { s.nr_mprocs += 1; },
                   "the checkpoint has another table size");
    expect_refused([](pm::PmState& s) { s.next_pid = 0; }, "the pid counter is out of range");
    expect_refused([&](pm::PmState& s) { s.mproc[ia].flags |= 0x80; },
                   "a record has unknown flags");
    expect_refused([&](pm::PmState& s) { s.mproc[ia].endpoint = make_endpoint(0, -3); },
                   "a record names no process");  // a kernel task
    expect_refused([&](pm::PmState& s) { s.mproc[ia].endpoint = ANY; },
                   "a record names no process");
    expect_refused([&](pm::PmState& s) { s.mproc[ia].parent = a; },
                   "a record has an impossible parent");
    expect_refused([&](pm::PmState& s) { s.mproc[ia].pid = s.next_pid; }, "a pid is out of range");
    expect_refused([&](pm::PmState& s) { std::memset(s.mproc[ia].name, 'x', 40); },
                   "a name is not terminated");
    expect_refused([&](pm::PmState& s) { s.mproc[ib].endpoint = a; },
                   "two records for one endpoint");
    expect_refused([&](pm::PmState& s) { s.mproc[ib].pid = s.mproc[ia].pid; },
                   "two records with one pid");
    expect_refused([&](pm::PmState& s) { s.waiters[iw].who = NONE; }, "a wait names no process");
    expect_refused([&](pm::PmState& s) { s.waiters[iw].wait_for = make_endpoint(0, 5000); },
                   "a wait is for no process");
    expect_refused([&](pm::PmState& s) { s.waiters[iw].who = b; },
                   "a wait has no child to wait for");
    expect_refused([&](pm::PmState& s) { s.mproc[ia].flags |= pm::MP_ZOMBIE; },
                   "a wait is owed a zombie");
    expect_refused([&](pm::PmState& s) { s.waiters[(iw + 1) % pm::NR_WAITERS] = s.waiters[iw]; },
                   "a process waits twice");
    expect_refused([&](pm::PmState& s) { s.mproc[ib].flags = pm::MP_ZOMBIE; },
                   "a free record is marked a zombie");
    // Another size (a different layout) is refused before anything is read.
    why = nullptr;
    EXPECT_EQ(pm::state_load(*saved, sizeof *saved - 4, &why), -EINVAL);
    EXPECT_STREQ(why, "the checkpoint has another size");
    // The sound copy is still taken.
    pm::state_save(*saved);
    EXPECT_EQ(pm::state_load(*saved, sizeof *saved, &why), OK);
}

// After a crash: the kernel failed the suspended waits (ERESTART), so they
// go; a process that vanished is a zombie; one spawned after the last
// checkpoint is adopted; one whose spawn the crash cut short is cleared.
TEST_F(PmState, ARestartReconcilesTheCheckpointWithTheKernel) {
    const endpoint_t a = spawn(TESTER);
    const endpoint_t vanished = spawn(TESTER);
    EXPECT_EQ(wait(TESTER, a), -ELOCKED);
    ASSERT_EQ(new_instance(), OK) << why;
    const endpoint_t late = make_endpoint(1, 90);
    const endpoint_t half = make_endpoint(1, 91);
    const endpoint_t sys = make_endpoint(1, 92);
    const proc_info tab[] = {
        kernel_proc(a, "user_prog", true),
        kernel_proc(late, "late", true),
        kernel_proc(half, "half", true, RTS_NO_PRIV),
        kernel_proc(sys, "service", false),
        kernel_proc(TESTER, "tester", false),
    };
    const pm::Reconciled rc = pm::state_reconcile(tab, 5);
    EXPECT_EQ(rc.waits_dropped, 1);
    EXPECT_EQ(rc.gone, 1);
    EXPECT_EQ(rc.adopted, 1);
    EXPECT_EQ(rc.cleared, 1);
    EXPECT_EQ(pm::waits_pending(), 0);
    EXPECT_EQ(pm::user_process(a)->parent, TESTER);  // from the checkpoint
    ASSERT_NE(pm::user_process(late), nullptr);
    EXPECT_EQ(pm::user_process(late)->parent, NONE);
    EXPECT_STREQ(pm::user_process(late)->name, "late");
    EXPECT_EQ(pm::lookup(half), nullptr);
    EXPECT_EQ(pm::lookup(sys), nullptr);  // system processes are RS's
    // The retried wait finds the vanished child as a zombie killed by SIGKILL.
    message r{};
    EXPECT_EQ(wait(TESTER, vanished, &r), OK);
    EXPECT_EQ(pm_term_sig(r.PM_STATUS), SIGKILL);
    // The wait for a is suspended again in this instance.
    EXPECT_EQ(wait(TESTER, a), -ELOCKED);
    bool cleared = false;
    for (const auto& k : fake::kcalls()) cleared |= k == "sys_clear " + std::to_string(half);
    EXPECT_TRUE(cleared);
    EXPECT_NE(fake::log().find("was never started"), std::string::npos);
}

// The checkpoint is lost: the user processes the kernel has come back as
// orphans with new pids; system processes are not PM's.
TEST_F(PmState, ALostCheckpointIsRebuiltFromTheKernel) {
    spawn(TESTER);
    const endpoint_t u1 = make_endpoint(2, 70);
    const endpoint_t u2 = make_endpoint(2, 71);
    const proc_info tab[] = {
        kernel_proc(u1, "cat", true),
        kernel_proc(u2, "st_spin", true),
        kernel_proc(TESTER, "tester", false),
        kernel_proc(make_endpoint(2, 72), "free", true, RTS_SLOT_FREE),
    };
    EXPECT_EQ(pm::state_rebuild(tab, 4), 2);
    ASSERT_NE(pm::user_process(u1), nullptr);
    EXPECT_EQ(pm::user_process(u1)->parent, NONE);
    EXPECT_EQ(pm::user_process(u1)->pid, 1);
    EXPECT_STREQ(pm::user_process(u2)->name, "st_spin");
    EXPECT_EQ(pm::lookup(make_endpoint(1, 60)), nullptr);  // the old table is gone
    EXPECT_EQ(pm::lookup(TESTER), nullptr);
    // Orphans are reaped at exit; nobody can wait for them.
    exit(u1, 0);
    EXPECT_EQ(pm::lookup(u1), nullptr);
    // The rebuilt table is itself a sound checkpoint.
    pm::state_save(*saved);
    EXPECT_EQ(pm::state_load(*saved, sizeof *saved, &why), OK) << why;
}

}  // namespace
