// A seeded fuzzer of the kernel's service-facing surface: processes with
// different privileges make random IPC traps and random kernel calls whose
// every field is drawn from values a hostile service would try
// (tests/fuzz/hostile_values.h), over memory that is randomly overwritten
// between calls, so the kernel reads random grant and SENDA tables. After every trap the kernel
// must still be consistent: no panic (the fake arch aborts on one), caller queues finite and
// matching RTS flags, no message left undelivered in a runnable process. In the debug preset the
// core runs under UBSan with -fno-sanitize-recover, so any signed overflow,
// bad shift or out-of-bounds index on a value a service controls fails the
// test.
//
// CI runs kFuzzSeeds seeds of kFuzzSteps traps each. A longer run:
//   UMK_FUZZ_STEPS=200000 build/debug/tests/core/umk_core_tests --gtest_filter='KernelFuzz*'
// (8 seeds x 200000 = 1.6 million traps).
#include <cstdint>
#include <cstdlib>

#include "../fuzz/hostile_values.h"
#include "harness.h"

namespace umk {
namespace {

using namespace test;

constexpr int NPROC = 6;
constexpr int kFuzzSeeds = 8;
constexpr int kFuzzSteps = 20000;
constexpr int GRANTS = 16;
constexpr vir_bytes GRANT_TABLE = mem_addr(0);
constexpr int ASYNS = 8;
constexpr vir_bytes ASYN_TABLE = mem_addr(0x400);
constexpr vir_bytes SPAWN_NAME_AT = mem_addr(0x800);

int fuzz_steps() {
    const char* s = std::getenv("UMK_FUZZ_STEPS");
    const long n = s ? std::strtol(s, nullptr, 10) : 0;
    return n > 0 ? static_cast<int>(n) : kFuzzSteps;
}

class KernelFuzz : public ::testing::TestWithParam<unsigned> {
  protected:
    fuzz::HostileValues v{GetParam(), FAKE_MEM_BASE, FAKE_MEM_SIZE, GRANT_TABLE,
                          GRANTS,     ASYN_TABLE,    ASYNS,         SPAWN_NAME_AT};
    long traps = 0;
    long reboots = 0;

    int pick(int n) { return v.pick(n); }

    void boot_fuzz() {
        const endpoint_t rs = make_endpoint(0, 0);
        BootPriv limited{SYS_PROC, (1u << SEND) | (1u << RECEIVE) | (1u << SENDREC), false, false,
                         rs};
        BootPriv basic{SYS_PROC | PREEMPTIBLE, ~0u, true, false, rs};
        boot({{0, "rs", true, sys_priv(SELF)},
              {1, "pm", true, sys_priv(rs)},
              {2, "basic", true, basic},
              {3, "limited", true, limited},
              {4, "fuzz", true, sys_priv(rs)},
              {5, "new", false}});
        endpoint_t live[NPROC];
        for (int i = 0; i < NPROC; ++i) live[i] = ep(i);
        v.set_live(live, NPROC);
        // Every process starts with a grant table where scribble() puts
        // nearly valid grants (kernel calls may move or drop it later).
        for (int i = 0; i < NPROC; ++i) {
            for (int g = 0; g < GRANTS; ++g) {
                const cp_grant_t grant = v.plausible_grant();
                write_mem(proc(i), GRANT_TABLE + g * sizeof grant, &grant, sizeof grant);
            }
            write_mem(proc(i), SPAWN_NAME_AT, "test", 5);  // a program the fake arch knows
            message m{};
            m.m_type = SYS_SETGRANT;
            m.SG_ADDR = GRANT_TABLE;
            m.SG_SIZE = GRANTS;
            kcall(proc(i), m);
        }
        ++reboots;
    }

    // Scribble on a process's memory: its grant table and SENDA table with
    // nearly valid entries, the rest with random values.
    void scribble(Proc& p) {
        if (pick(2)) {
            const cp_grant_t g = v.plausible_grant();
            write_mem(p, GRANT_TABLE + pick(GRANTS) * sizeof g, &g, sizeof g);
        }
        if (pick(2)) {
            const asynmsg_t a = v.plausible_asynmsg();
            write_mem(p, ASYN_TABLE + pick(ASYNS) * sizeof a, &a, sizeof a);
        }
        const int n = 1 + pick(64);
        for (int i = 0; i < n; ++i) {
            const std::size_t at = static_cast<std::size_t>(pick(FAKE_MEM_SIZE - 8));
            const std::uint64_t x = pick(2) ? static_cast<std::uint64_t>(v.any64()) : v.bits();
            for (int b = 0; b < 8; ++b)
                p.p_arch.mem[at + b] = static_cast<std::uint8_t>(x >> (8 * b));
        }
    }

    void fuzz_one(Proc& p) {
        ++traps;
        if (pick(2)) {
            kcall(p, v.any_message());
            return;
        }
        // Mostly the traps that do not block, so that rounds last; the
        // blocking ones still come often enough to fill caller queues.
        static constexpr int calls[] = {SEND,   RECEIVE, SENDREC, NOTIFY, SENDNB,
                                        SENDNB, NOTIFY,  SENDA,   SENDA};
        const int call = pick(8) ? calls[pick(9)] : v.any32();
        message m = v.any_message();
        const bool with_msg = pick(8) != 0;
        const endpoint_t target = pick(2) ? v.live() : v.any_endpoint();
        ipc(p, call, target, with_msg ? &m : nullptr, v.senda_table(), v.senda_count());
    }

    // The core's tables are consistent: every caller queue is finite and
    // holds exactly the processes that are sending to its owner.
    void check_consistent() {
        for (proc_nr_t s = -NR_TASKS; s < NR_PROCS; ++s) {
            const Proc& owner = *proc_addr(s);
            int n = 0;
            for (const Proc* q = owner.p_caller_q; q; q = q->p_q_link) {
                ASSERT_LT(++n, NR_TASKS + NR_PROCS) << "caller queue of slot " << s << " loops";
                ASSERT_TRUE(q->p_rts_flags & RTS_SENDING) << "slot " << q->p_nr;
                ASSERT_EQ(q->p_sendto_e, owner.p_endpoint) << "slot " << q->p_nr;
            }
            if (proc_is_free(owner) || is_kernel_slot(s)) continue;
            if (proc_is_runnable(owner)) {
                ASSERT_EQ(owner.p_misc_flags & MF_DELIVERMSG, 0u) << "slot " << s;
            }
        }
    }
};

TEST_P(KernelFuzz, RandomTrapsNeverBreakTheKernel) {
    boot_fuzz();
    const int steps = fuzz_steps();
    for (int step = 0; step < steps; ++step) {
        if (pick(16) == 0) scribble(proc(pick(NPROC)));
        if (pick(32) == 0) clock_tick();
        // A runnable process not in a trap makes the next trap.
        Proc* caller = nullptr;
        for (int tries = 0; tries < 2 * NPROC && !caller; ++tries) {
            Proc& p = *proc_addr(static_cast<proc_nr_t>(pick(NR_PROCS)));
            if (!proc_is_free(p) && proc_is_runnable(p) && !in_trap(p)) caller = &p;
        }
        if (!caller) {
            for (proc_nr_t s = 0; s < NR_PROCS && !caller; ++s) {
                Proc& p = *proc_addr(s);
                if (!proc_is_free(p) && proc_is_runnable(p) && !in_trap(p)) caller = &p;
            }
        }
        if (!caller) {  // everybody is blocked, stopped or gone: start over
            boot_fuzz();
            continue;
        }
        fuzz_one(*caller);
        fake::clear_log();
        check_consistent();
        if (HasFatalFailure()) {
            ADD_FAILURE() << "seed " << GetParam() << ", step " << step;
            return;
        }
    }
    RecordProperty("traps", static_cast<int>(traps));
    RecordProperty("reboots", static_cast<int>(reboots));
    EXPECT_GE(traps, steps / 2) << "the fuzzer spent its steps rebooting";
}

INSTANTIATE_TEST_SUITE_P(Seeds, KernelFuzz, ::testing::Range(1u, 1u + kFuzzSeeds));

}  // namespace
}  // namespace umk
