// A seeded fuzzer of the kernel's service-facing surface: processes with
// different privileges make random IPC traps and random kernel calls whose
// every field is drawn from values a hostile service would try (0, -1, the
// extremes of each type, live, dead and magic endpoints, addresses at the
// edges of its memory, random bits), over memory that is randomly
// overwritten between calls, so the kernel reads random grant and SENDA
// tables. After every trap the kernel must still be consistent: no panic
// (the fake arch aborts on one), caller queues finite and matching RTS flags,
// no message left undelivered in a runnable process. In the debug preset the
// core runs under UBSan with -fno-sanitize-recover, so any signed overflow,
// bad shift or out-of-bounds index on a value a service controls fails the
// test.
//
// CI runs kFuzzSeeds seeds of kFuzzSteps traps each. A longer run:
//   UMK_FUZZ_STEPS=200000 build/debug/tests/core/umk_core_tests --gtest_filter='KernelFuzz*'
// (8 seeds x 200000 = 1.6 million traps).
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <random>

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
    std::mt19937_64 rng{GetParam()};
    long traps = 0;
    long reboots = 0;

    std::uint64_t bits() { return rng(); }
    int pick(int n) { return static_cast<int>(bits() % static_cast<std::uint64_t>(n)); }

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
        // Every process starts with a grant table where scribble() puts
        // nearly valid grants (kernel calls may move or drop it later).
        for (int i = 0; i < NPROC; ++i) {
            for (int g = 0; g < GRANTS; ++g) {
                const cp_grant_t grant = plausible_grant();
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

    // A 32-bit value a hostile service would try.
    std::int32_t any32() {
        switch (pick(14)) {
            case 0:
                return 0;
            case 1:
                return 1;
            case 2:
                return -1;
            case 3:
                return INT_MAX;
            case 4:
                return INT_MIN;
            case 5:
                return INT_MAX - pick(2048);
            case 6:
                return INT_MIN + pick(2048);
            case 7:
                return any_endpoint();
            case 8:
                return pick(64) - 8;
            case 9:
                return static_cast<std::int32_t>(FAKE_MEM_BASE + pick(FAKE_MEM_SIZE + 64));
            case 10:
                return static_cast<std::int32_t>(FAKE_MEM_SIZE) - pick(128);
            case 11:
                return KERNEL_CALL + pick(NR_SYS_CALLS + 4);
            default:
                return static_cast<std::int32_t>(bits());
        }
    }
    std::int64_t any64() {
        switch (pick(10)) {
            case 0:
                return 0;
            case 1:
                return -1;
            case 2:
                return INT64_MAX;
            case 3:
                return INT64_MIN;
            case 4:
                return INT64_MAX - pick(4096);
            case 5:
                return static_cast<std::int64_t>(any_addr());
            case 6:
                return pick(FAKE_MEM_SIZE + 64);
            case 7:
                return any32();
            default:
                return static_cast<std::int64_t>(bits());
        }
    }
    vir_bytes any_addr() {
        switch (pick(6)) {
            case 0:
                return 0;
            case 1:
                return ~vir_bytes{0} - pick(4096);
            case 2:
                return FAKE_MEM_BASE + FAKE_MEM_SIZE - pick(256);
            case 3:
                return FAKE_MEM_BASE - pick(256);
            case 4:
                return bits();
            default:
                return FAKE_MEM_BASE + pick(FAKE_MEM_SIZE);
        }
    }
    endpoint_t any_endpoint() {
        switch (pick(10)) {
            case 0:
                return ANY;
            case 1:
                return SELF;
            case 2:
                return NONE;
            case 3:
                return -1 - pick(NR_TASKS + 2);  // kernel tasks and below
            case 4:
                return make_endpoint(1 + pick(5), pick(NPROC));  // stale generations
            case 5:
                return pick(NR_PROCS + 8);  // slots, some beyond the table
            case 6:
                return INT_MAX - pick(4);
            default:
                return ep(pick(NPROC));
        }
    }

    message any_message() {
        message m{};
        for (std::size_t i = 0; i < sizeof m.m_raw; i += 8) {
            const std::int64_t v = pick(3) == 0 ? any64() : any32();
            for (std::size_t b = 0; b < 8 && i + b < sizeof m.m_raw; ++b)
                m.m_raw[i + b] =
                    static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> (8 * b));
        }
        // Often the fields the call reads as 32-bit integers are each from
        // any32 (the loop above packs 64-bit words).
        if (pick(2)) {
            m.m1_i1 = any32();
            m.m1_i2 = any32();
            m.m1_i3 = any32();
            m.m1_i4 = any32();
        }
        // The endpoint argument of most calls (m1_i1 = m2_i1), and of some
        // the second or third field: often a live process or SELF, so the
        // calls get past their first check.
        if (pick(2)) m.m1_i1 = pick(3) ? ep(pick(NPROC)) : SELF;
        if (pick(4) == 0) m.m1_i2 = ep(pick(NPROC));
        if (pick(4) == 0) m.m2_i3 = pick(GRANTS);
        m.m_source = any_endpoint();  // a forgery the kernel must overwrite
        m.m_type = pick(4) ? KERNEL_CALL + pick(NR_SYS_CALLS + 2) : any32();
        // SYS_EXIT ends the caller: rarer, so rounds last.
        if (m.m_type == SYS_EXIT && pick(8)) m.m_type = SYS_SAFECOPYFROM + pick(2);
        if (pick(3)) nearly_valid_fields(m);
        return m;
    }

    // Most of the time a call's own fields are nearly right, so that the
    // fuzzer gets past the first check into the code behind it.
    void nearly_valid_fields(message& m) {
        const vir_bytes buf = mem_addr(0x800 + pick(0x400));
        switch (m.m_type) {
            case SYS_SAFECOPYFROM:
            case SYS_SAFECOPYTO:
                m.SCP_FROM_TO = ep(pick(NPROC));
                m.SCP_GID = pick(GRANTS);
                m.SCP_OFFSET = pick(4) ? pick(64) : any64();
                m.SCP_ADDRESS = pick(4) ? buf : any_addr();
                m.SCP_BYTES = pick(4) ? pick(256) : any64();
                break;
            case SYS_PRIVCTL:
                m.CTL_ENDPT = ep(pick(NPROC));
                m.CTL_REQUEST = 1 + pick(9);
                m.CTL_ARG_PTR = pick(2) ? buf : 0;
                break;
            case SYS_KILL:
                m.SIG_ENDPT = ep(pick(NPROC));
                m.SIG_NUMBER = pick(70) - 2;
                break;
            case SYS_SETALARM:
                m.ALRM_EXP_TIME = pick(2) ? pick(100) : any64();
                m.ALRM_ABS_TIME = pick(2);
                break;
            case SYS_GETINFO:
                m.I_REQUEST = pick(8);
                m.I_ENDPT = ep(pick(NPROC));
                m.I_VAL_PTR = pick(4) ? buf : any_addr();
                m.I_VAL_LEN = pick(4) ? pick(1024) : any32();
                break;
            case SYS_DIAGCTL:
                m.DIAG_CODE = pick(8);
                m.DIAG_BUF = pick(4) ? buf : any_addr();
                m.DIAG_LEN = pick(4) ? pick(256) : any32();
                break;
            case SYS_VDEVIO:
                m.DIO_REQUEST = pick(2) ? DIO_INPUT_BYTE : DIO_OUTPUT_BYTE;
                m.DIO_VEC_ADDR = pick(4) ? buf : any_addr();
                m.DIO_VEC_SIZE = pick(4) ? pick(VDEVIO_BUF_SIZE + 2) : any64();
                break;
            case SYS_RUNCTL:
                m.RC_ENDPT = ep(pick(NPROC));
                m.RC_ACTION = pick(3);
                m.RC_FLAGS = pick(3);
                break;
            case SYS_UPDATE:
                m.SYS_UPD_SRC_ENDPT = ep(pick(NPROC));
                m.SYS_UPD_DST_ENDPT = ep(pick(NPROC));
                m.SYS_UPD_FLAGS = pick(3);
                break;
            case SYS_SETGRANT:
                m.SG_ADDR = pick(4) ? GRANT_TABLE : any_addr();
                m.SG_SIZE = pick(4) ? pick(GRANTS + 2) : any32();
                break;
            case SYS_SPAWN:
                m.SPAWN_PROG = pick(2) ? SPAWN_NAME_AT : buf;
                m.SPAWN_PROG_LEN = pick(2) ? 4 : pick(40);
                m.SPAWN_ARGS = buf + 64;
                m.SPAWN_ARGS_LEN = pick(200);
                break;
            default:
                break;
        }
    }

    // A grant that is nearly right: valid flags most of the time, a live
    // grantee, a range in or around the granter's memory.
    cp_grant_t plausible_grant() {
        cp_grant_t g{};
        static constexpr std::uint32_t kinds[] = {CPF_DIRECT, CPF_INDIRECT, CPF_MAGIC};
        g.cp_flags = CPF_USED | CPF_VALID | kinds[pick(3)] | static_cast<std::uint32_t>(pick(4));
        if (pick(8) == 0) g.cp_flags = static_cast<std::uint32_t>(bits());
        g.cp_to = pick(4) ? ep(pick(NPROC)) : any_endpoint();
        g.cp_from = pick(2) ? ep(pick(NPROC)) : any_endpoint();
        g.cp_grant = pick(4) ? pick(GRANTS) : any32();
        g.cp_start = pick(4) ? FAKE_MEM_BASE + pick(FAKE_MEM_SIZE) : any_addr();
        g.cp_len = pick(4) ? static_cast<vir_bytes>(pick(512)) : static_cast<vir_bytes>(any64());
        return g;
    }
    // A SENDA entry that is nearly right.
    asynmsg_t plausible_asynmsg() {
        asynmsg_t a{};
        a.flags = pick(4) ? AMF_VALID | static_cast<std::uint32_t>(pick(32)) : any32();
        a.dst = pick(3) ? ep(pick(NPROC)) : any_endpoint();
        a.msg = any_message();
        return a;
    }

    // Scribble on a process's memory: its grant table (GRANT_TABLE) and
    // SENDA table (ASYN_TABLE) with nearly valid entries, the rest with
    // random values.
    void scribble(Proc& p) {
        if (pick(2)) {
            const cp_grant_t g = plausible_grant();
            write_mem(p, GRANT_TABLE + pick(GRANTS) * sizeof g, &g, sizeof g);
        }
        if (pick(2)) {
            const asynmsg_t a = plausible_asynmsg();
            write_mem(p, ASYN_TABLE + pick(ASYNS) * sizeof a, &a, sizeof a);
        }
        const int n = 1 + pick(64);
        for (int i = 0; i < n; ++i) {
            const std::size_t at = static_cast<std::size_t>(pick(FAKE_MEM_SIZE - 8));
            const std::uint64_t v = pick(2) ? static_cast<std::uint64_t>(any64()) : bits();
            for (int b = 0; b < 8; ++b)
                p.p_arch.mem[at + b] = static_cast<std::uint8_t>(v >> (8 * b));
        }
    }

    void fuzz_one(Proc& p) {
        ++traps;
        if (pick(2)) {
            message m = any_message();
            kcall(p, m);
            return;
        }
        // Mostly the traps that do not block, so that rounds last; the
        // blocking ones still come often enough to fill caller queues.
        static constexpr int calls[] = {SEND,   RECEIVE, SENDREC, NOTIFY, SENDNB,
                                        SENDNB, NOTIFY,  SENDA,   SENDA};
        const int call = pick(8) ? calls[pick(9)] : any32();
        message m = any_message();
        const bool with_msg = pick(8) != 0;
        const endpoint_t target = pick(2) ? ep(pick(NPROC)) : any_endpoint();
        const vir_bytes table = pick(2) ? ASYN_TABLE : any_addr();
        ipc(p, call, target, with_msg ? &m : nullptr, table,
            static_cast<std::size_t>(pick(3) ? pick(ASYNS + 2) : any64()));
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
