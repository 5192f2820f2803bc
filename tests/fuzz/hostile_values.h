// Values a hostile service would put into a trap, for the two kernel
// fuzzers: the core's on the fake arch (tests/core/kernel_fuzz_test.cc) and
// the real service on the Linux host (tests/services/test_fuzz.cc). Every
// field is drawn from 0, -1, the extremes of its type, live, stale and magic
// endpoints, addresses at the edges of the caller's memory, or random bits;
// most of the time a kernel call's own fields are nearly right, so that the
// fuzzer gets past the first check into the code behind it.
//
// Header-only and heap-free, so that a service can use it under the strict
// seccomp filter.
#pragma once

#include <climits>
#include <cstdint>
#include <random>

#include "umk/com.h"
#include "umk/endpoint.h"
#include "umk/types.h"

namespace umk::fuzz {

class HostileValues {
  public:
    static constexpr int MAX_LIVE = 16;

    // `mem` is the caller's own memory the kernel may read and write
    // (`mem_size` bytes); `grants` entries of its grant table live at
    // `grant_table`, `asyns` SENDA entries at `asyn_table`, and a program
    // name the arch can spawn at `spawn_name`.
    HostileValues(std::uint64_t seed, vir_bytes mem, std::size_t mem_size, vir_bytes grant_table,
                  int grants, vir_bytes asyn_table, int asyns, vir_bytes spawn_name)
        : rng_(seed),
          mem_(mem),
          mem_size_(mem_size),
          grant_table_(grant_table),
          grants_(grants),
          asyn_table_(asyn_table),
          asyns_(asyns),
          spawn_name_(spawn_name) {}

    // The endpoints of live processes (at most MAX_LIVE are kept).
    void set_live(const endpoint_t* eps, int n) {
        nr_live_ = n < MAX_LIVE ? n : MAX_LIVE;
        for (int i = 0; i < nr_live_; ++i) live_[i] = eps[i];
    }

    std::uint64_t bits() { return rng_(); }
    int pick(int n) { return static_cast<int>(bits() % static_cast<std::uint64_t>(n)); }

    endpoint_t live() { return nr_live_ ? live_[pick(nr_live_)] : SELF; }

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
                return make_endpoint(1 + pick(5), endpoint_slot(live()));  // stale
            case 5:
                return pick(NR_PROCS + 8);  // slots, some beyond the table
            case 6:
                return INT_MAX - pick(4);
            default:
                return live();
        }
    }
    vir_bytes any_addr() {
        switch (pick(6)) {
            case 0:
                return 0;
            case 1:
                return ~vir_bytes{0} - pick(4096);
            case 2:
                return mem_ + mem_size_ - pick(256);  // straddles the end
            case 3:
                return mem_ - pick(256);  // just before
            case 4:
                return bits();
            default:
                return mem_ + pick(static_cast<int>(mem_size_));
        }
    }
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
                return static_cast<std::int32_t>(any_addr());
            case 10:
                return static_cast<std::int32_t>(mem_size_) - pick(128);
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
                return pick(static_cast<int>(mem_size_) + 64);
            case 7:
                return any32();
            default:
                return static_cast<std::int64_t>(bits());
        }
    }

    // A kernel call (or, with `type` != 0, a message of that type) with
    // hostile fields. SYS_EXIT only when `allow_exit`.
    message any_message(bool allow_exit = true) {
        message m{};
        for (std::size_t i = 0; i < sizeof m.m_raw; i += 8) {
            const std::int64_t v = pick(3) == 0 ? any64() : any32();
            for (std::size_t b = 0; b < 8 && i + b < sizeof m.m_raw; ++b)
                m.m_raw[i + b] =
                    static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> (8 * b));
        }
        if (pick(2)) {  // the 32-bit fields, each from any32
            m.m1_i1 = any32();
            m.m1_i2 = any32();
            m.m1_i3 = any32();
            m.m1_i4 = any32();
        }
        // The endpoint argument of most calls (m1_i1 = m2_i1), and of some
        // the second or third field: often a live process or SELF.
        if (pick(2)) m.m1_i1 = pick(3) ? live() : SELF;
        if (pick(4) == 0) m.m1_i2 = live();
        if (pick(4) == 0) m.m2_i3 = pick(grants_);
        m.m_source = any_endpoint();  // a forgery the kernel must overwrite
        m.m_type = pick(4) ? KERNEL_CALL + pick(NR_SYS_CALLS + 2) : any32();
        // SYS_EXIT ends the caller: rarer, so runs last.
        if (m.m_type == SYS_EXIT && (!allow_exit || pick(8))) m.m_type = SYS_SAFECOPYFROM + pick(2);
        if (pick(3)) nearly_valid_fields(m);
        return m;
    }

    // A grant that is nearly right: valid flags most of the time, a live
    // grantee, a range in or around the granter's memory.
    cp_grant_t plausible_grant() {
        cp_grant_t g{};
        static constexpr std::uint32_t kinds[] = {CPF_DIRECT, CPF_INDIRECT, CPF_MAGIC};
        g.cp_flags = CPF_USED | CPF_VALID | kinds[pick(3)] | static_cast<std::uint32_t>(pick(4));
        if (pick(8) == 0) g.cp_flags = static_cast<std::uint32_t>(bits());
        g.cp_to = pick(4) ? live() : any_endpoint();
        g.cp_from = pick(2) ? live() : any_endpoint();
        g.cp_grant = pick(4) ? pick(grants_) : any32();
        g.cp_start = pick(4) ? mem_ + pick(static_cast<int>(mem_size_)) : any_addr();
        g.cp_len = pick(4) ? static_cast<vir_bytes>(pick(512)) : static_cast<vir_bytes>(any64());
        return g;
    }
    // A SENDA entry that is nearly right.
    asynmsg_t plausible_asynmsg() {
        asynmsg_t a{};
        a.flags = pick(4) ? AMF_VALID | static_cast<std::uint32_t>(pick(32))
                          : static_cast<std::uint32_t>(any32());
        a.dst = pick(3) ? live() : any_endpoint();
        a.msg = any_message();
        return a;
    }
    // Where a SENDA trap's table is, and how many entries it claims.
    vir_bytes senda_table() { return pick(2) ? asyn_table_ : any_addr(); }
    std::size_t senda_count() {
        return static_cast<std::size_t>(pick(3) ? pick(asyns_ + 2) : any64());
    }

  private:
    void nearly_valid_fields(message& m) {
        const vir_bytes buf = mem_ + mem_size_ / 2 + pick(static_cast<int>(mem_size_ / 4));
        switch (m.m_type) {
            case SYS_SAFECOPYFROM:
            case SYS_SAFECOPYTO:
                m.SCP_FROM_TO = live();
                m.SCP_GID = pick(grants_);
                m.SCP_OFFSET = pick(4) ? pick(64) : any64();
                m.SCP_ADDRESS = pick(4) ? buf : any_addr();
                m.SCP_BYTES = pick(4) ? pick(256) : any64();
                break;
            case SYS_PRIVCTL:
                m.CTL_ENDPT = live();
                m.CTL_REQUEST = 1 + pick(9);
                m.CTL_ARG_PTR = pick(2) ? buf : 0;
                break;
            case SYS_KILL:
                m.SIG_ENDPT = live();
                m.SIG_NUMBER = pick(70) - 2;
                break;
            case SYS_SETALARM:
                m.ALRM_EXP_TIME = pick(2) ? pick(100) : any64();
                m.ALRM_ABS_TIME = pick(2);
                break;
            case SYS_GETINFO:
                m.I_REQUEST = pick(8);
                m.I_ENDPT = live();
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
                m.RC_ENDPT = live();
                m.RC_ACTION = pick(3);
                m.RC_FLAGS = pick(3);
                break;
            case SYS_UPDATE:
                m.SYS_UPD_SRC_ENDPT = live();
                m.SYS_UPD_DST_ENDPT = live();
                m.SYS_UPD_FLAGS = pick(3);
                break;
            case SYS_SETGRANT:
                m.SG_ADDR = pick(4) ? grant_table_ : any_addr();
                m.SG_SIZE = pick(4) ? pick(grants_ + 2) : any32();
                break;
            case SYS_SPAWN:
                m.SPAWN_PROG = pick(2) ? spawn_name_ : buf;
                m.SPAWN_PROG_LEN = pick(2) ? 4 : pick(40);
                m.SPAWN_ARGS = buf + 64;
                m.SPAWN_ARGS_LEN = pick(200);
                break;
            default:
                break;
        }
    }

    std::mt19937_64 rng_;
    vir_bytes mem_;
    std::size_t mem_size_;
    vir_bytes grant_table_;
    int grants_;
    vir_bytes asyn_table_;
    int asyns_;
    vir_bytes spawn_name_;
    endpoint_t live_[MAX_LIVE] = {};
    int nr_live_ = 0;
};

}  // namespace umk::fuzz
