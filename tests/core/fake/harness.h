// Helpers for unit tests of the core on the fake arch: boot a table of test
// processes, make a process trap, read what it got back.
//
//   using namespace umk::test;
//   boot_sys(3);                                  // slots 0..2, all privileges
//   EXPECT_EQ(receive(proc(1), ANY), BLOCKED);
//   EXPECT_EQ(send(proc(0), ep(1), make_msg(42)), OK);
//   EXPECT_EQ(result(proc(1)), OK);               // the blocked receive completed
//   EXPECT_EQ(last_msg(proc(1)).m_type, 42);
//   EXPECT_EQ(last_msg(proc(1)).m_source, ep(0));
//
// Trap helpers return the trap's result (OK or a negated error) if the trap
// completed at once, or BLOCKED if the process is now blocked in it.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "fake_arch.h"
#include "umk/arch.h"
#include "umk/core.h"
#include "umk/err.h"
#include "umk/kernel.h"

namespace umk::test {

inline constexpr int BLOCKED = -1000000;  // the trap has not completed (yet)

// ---- Booting ----

// Privileges of a typical system process (RS-like): every trap, every
// target, every kernel call, its own signal manager.
inline BootPriv sys_priv(endpoint_t sig_mgr = SELF) {
    return BootPriv{SYS_PROC | PREEMPTIBLE, ~0u, true, true, sig_mgr};
}

struct TestProc {
    proc_nr_t nr;
    std::string name;
    bool has_priv = true;
    BootPriv priv = sys_priv();
};

// Reset the fake arch, kernel_init with `procs`, spawn each ("test"),
// boot_start. Fails the test (fatally) if anything goes wrong.
inline void boot(const std::vector<TestProc>& procs) {
    fake::reset();
    std::vector<BootProc> table;
    for (const TestProc& t : procs)
        table.push_back(BootProc{t.nr, t.name.c_str(), t.has_priv, t.priv});
    ASSERT_EQ(kernel_init(table.data(), static_cast<int>(table.size())), OK);
    for (const TestProc& t : procs)
        ASSERT_EQ(arch::proc_spawn(*proc_addr(t.nr), "test", "", 0), OK);
    boot_start();
}

// Slots 0..n-1, named "p0".."p<n-1>", all with sys_priv().
inline void boot_sys(int n) {
    std::vector<TestProc> procs;
    for (int i = 0; i < n; ++i) procs.push_back(TestProc{i, "p" + std::to_string(i)});
    boot(procs);
}

inline Proc& proc(proc_nr_t slot) {
    return *proc_addr(slot);
}
inline endpoint_t ep(proc_nr_t slot) {
    return proc_addr(slot)->p_endpoint;
}
inline Priv& priv_of(proc_nr_t slot) {
    return *proc_addr(slot)->p_priv;
}

// A new process in a free slot (proc_alloc_slot), given `pr` or, by default,
// its own dynamic system privileges, and made runnable. For tests that need
// a reused slot or a process created after boot.
inline Proc& spawn_sys(const char* name = "dyn") {
    Proc* p = proc_alloc_slot();
    EXPECT_NE(p, nullptr);
    if (!p) std::abort();
    Priv* pr = priv_alloc(0, true);
    EXPECT_NE(pr, nullptr);
    if (!pr) std::abort();
    priv_set_sys_defaults(*pr, p->p_endpoint);
    pr->s_proc_nr = p->p_nr;
    p->p_priv = pr;
    std::snprintf(p->p_name, sizeof p->p_name, "%s", name);
    arch::proc_spawn(*p, "test", "", 0);
    rts_unset(*p, RTS_NO_PRIV);
    return *p;
}

// ---- Messages ----

inline message make_msg(int type, std::int32_t i1 = 0, std::int32_t i2 = 0) {
    message m{};
    m.m_type = type;
    m.m1_i1 = i1;
    m.m1_i2 = i2;
    return m;
}

// ---- Traps ----

inline bool in_trap(const Proc& p) {
    return p.p_arch.in_trap;
}

// The result of p's last trap: BLOCKED while it is still in it.
inline int result(const Proc& p) {
    return p.p_arch.in_trap ? BLOCKED : p.p_arch.last_retval;
}

// Start a trap: run `body` as the trap and complete it if p is runnable
// afterwards (as the arch does on return from the trap).
template <typename F>
int run_trap(Proc& p, F&& body) {
    p.p_arch.in_trap = true;
    body();
    if (p.p_arch.in_trap && proc_is_runnable(p)) fake::complete_trap(p);
    return result(p);
}

inline int ipc(Proc& p, int call, endpoint_t target, const message* m = nullptr,
               vir_bytes table = 0, std::size_t count = 0) {
    message copy{};
    if (m) copy = *m;  // the arch's snapshot of the caller's message
    return run_trap(p, [&] { trap_ipc(p, call, target, m ? &copy : nullptr, table, count); });
}
inline int send(Proc& p, endpoint_t dst, const message& m) {
    return ipc(p, SEND, dst, &m);
}
inline int sendnb(Proc& p, endpoint_t dst, const message& m) {
    return ipc(p, SENDNB, dst, &m);
}
inline int sendrec(Proc& p, endpoint_t dst, const message& m) {
    return ipc(p, SENDREC, dst, &m);
}
inline int receive(Proc& p, endpoint_t src) {
    return ipc(p, RECEIVE, src);
}
inline int notify(Proc& p, endpoint_t dst) {
    return ipc(p, NOTIFY, dst);
}
inline int senda(Proc& p, vir_bytes table, std::size_t count) {
    return ipc(p, SENDA, NONE, nullptr, table, count);
}

// A kernel call. If `reply` is given and a message was delivered during the
// call (completed at once), it is copied there.
inline int kcall(Proc& p, const message& request, message* reply = nullptr) {
    const int before = p.p_arch.delivered;
    message copy = request;
    const int r = run_trap(p, [&] { trap_kernel_call(p, copy); });
    if (reply && p.p_arch.delivered > before)
        *reply = p.p_arch.msgs[(p.p_arch.delivered - 1) % FAKE_MSG_LOG];
    return r;
}

// ---- What a process received ----

// Number of messages delivered to p so far.
inline int delivered_count(const Proc& p) {
    return p.p_arch.delivered;
}
// The latest delivered message (a zero message if none).
inline message last_msg(const Proc& p) {
    if (p.p_arch.delivered == 0) return message{};
    return p.p_arch.msgs[(p.p_arch.delivered - 1) % FAKE_MSG_LOG];
}
// The i-th delivered message (0 = first), if still kept.
inline message delivered_msg(const Proc& p, int i) {
    EXPECT_TRUE(i >= 0 && i < p.p_arch.delivered && i >= p.p_arch.delivered - FAKE_MSG_LOG)
        << "message " << i << " of " << p.p_arch.delivered << " not kept";
    return p.p_arch.msgs[i % FAKE_MSG_LOG];
}

// ---- Fake memory ----

// Address of byte `offset` of a process's fake memory.
inline constexpr vir_bytes mem_addr(std::size_t offset) {
    return FAKE_MEM_BASE + offset;
}
inline void write_mem(Proc& p, vir_bytes addr, const void* src, std::size_t len) {
    ASSERT_EQ(arch::copy_to_proc(p, addr, src, len), OK);
}
inline void read_mem(const Proc& p, vir_bytes addr, void* dst, std::size_t len) {
    ASSERT_EQ(arch::copy_from_proc(p, addr, dst, len), OK);
}
template <typename T>
T read_obj(const Proc& p, vir_bytes addr) {
    T v{};
    read_mem(p, addr, &v, sizeof v);
    return v;
}

// ---- Kernel log ----
inline const std::string& kernel_log() {
    return fake::log();
}

}  // namespace umk::test
