// test_fuzz SEED,CALLS: a hostile service that makes CALLS random traps
// through the real Linux trap: kernel calls and non-blocking IPC (SENDNB,
// NOTIFY, SENDA, and SENDREC to "pong", which answers) whose every field is
// drawn from tests/fuzz/hostile_values.h, over its own memory, which it
// scribbles on between calls (so the kernel reads random grant and SENDA
// tables). It never aims at itself what would end or stop it (EXIT, KILL,
// CLEAR, RUNCTL, UPDATE of its own endpoint): the point is to keep calling.
// Logs "fuzz: done T traps: K kernel calls (A accepted), I ipc (B accepted)".
#include <cstdlib>

#include "../fuzz/hostile_values.h"
#include "svc_util.h"
#include "umk/str.h"
#include "umklib/trap.h"

namespace {

using namespace umk;

constexpr std::size_t MEM_SIZE = 16384;
constexpr int GRANTS = 16;
constexpr int ASYNS = 8;
// The memory the fuzzer hands the kernel, with a page of guard on either
// side: the values straddle its edges, and a copy the kernel makes there
// must not overwrite the fuzzer's own variables.
struct alignas(4096) Scratch {
    unsigned char guard_lo[4096];
    unsigned char mem[MEM_SIZE];
    unsigned char guard_hi[4096];
};
Scratch scratch;
unsigned char* const mem = scratch.mem;

constexpr std::size_t GRANT_OFF = 0;
constexpr std::size_t ASYN_OFF = 0x400;
constexpr std::size_t NAME_OFF = 0x1000;

vir_bytes at(std::size_t off) {
    return vir_addr(mem + off);
}

// The live endpoints of the system, for the fuzzer's targets.
int live_endpoints(endpoint_t* out, int max) {
    static proc_info tab[NR_TASKS + NR_PROCS];
    if (sys_getinfo(GET_PROCTAB, tab, sizeof tab) != OK) return 0;
    int n = 0;
    for (const proc_info& p : tab) {
        if (p.slot >= 0 && !(p.rts_flags & RTS_SLOT_FREE) && n < max) out[n++] = p.endpoint;
    }
    return n;
}

bool aims_at_self(const message& m, endpoint_t self) {
    endpoint_t target = NONE;
    switch (m.m_type) {
        case SYS_EXIT:
            return true;
        case SYS_KILL:
            target = m.SIG_ENDPT;
            break;
        case SYS_CLEAR:
            target = m.PR_ENDPT;
            break;
        case SYS_RUNCTL:
            target = m.RC_ENDPT;
            break;
        case SYS_PRIVCTL:
            target = m.CTL_ENDPT;
            break;
        case SYS_UPDATE:
            return m.SYS_UPD_SRC_ENDPT == self || m.SYS_UPD_DST_ENDPT == self ||
                   m.SYS_UPD_SRC_ENDPT == SELF || m.SYS_UPD_DST_ENDPT == SELF;
        default:
            return false;
    }
    return target == self || target == SELF;
}

// The kernel writes the caller's memory for SAFECOPYFROM and GETINFO: keep
// such a write inside the scratch area and its guards (where it starts
// there), so the fuzzer does not overwrite its own variables and die of it.
void keep_writes_in_scratch(message& m) {
    const vir_bytes lo = vir_addr(&scratch), hi = lo + sizeof scratch;
    auto clamp = [&](vir_bytes dst, auto& len) {
        if (dst < lo || dst >= hi) return;
        const vir_bytes room = hi - dst;
        if (len < 0 || static_cast<vir_bytes>(len) > room) len = static_cast<int>(room);
    };
    if (m.m_type == SYS_SAFECOPYFROM) clamp(m.SCP_ADDRESS, m.SCP_BYTES);
    if (m.m_type == SYS_GETINFO) clamp(m.I_VAL_PTR, m.I_VAL_LEN);
}

}  // namespace

int main(int argc, char** argv) {
    // One argument (a boot config's args= is one word): "SEED,CALLS".
    char* rest = nullptr;
    const unsigned long seed = argc > 1 ? std::strtoul(argv[1], &rest, 10) : 1;
    const long calls = rest && *rest == ',' ? std::strtol(rest + 1, nullptr, 10) : 10000;
    fuzz::HostileValues v{seed,   at(0),        MEM_SIZE, at(GRANT_OFF),
                          GRANTS, at(ASYN_OFF), ASYNS,    at(NAME_OFF)};
    str::copy(reinterpret_cast<char*>(mem + NAME_OFF), "no_such_program", 32);
    const endpoint_t pong = test_svc::lookup("pong");
    log_printf("fuzz: seed %lu, %ld calls, pong %d\n", seed, calls, pong);

    long kcalls = 0, kaccepted = 0, ipcs = 0, iaccepted = 0;
    for (long i = 0; i < calls; ++i) {
        if (i % 256 == 0) {
            endpoint_t live[fuzz::HostileValues::MAX_LIVE];
            v.set_live(live, live_endpoints(live, fuzz::HostileValues::MAX_LIVE));
            for (int g = 0; g < GRANTS; ++g) {
                const cp_grant_t grant = v.plausible_grant();
                str::mem_copy(mem + GRANT_OFF + g * sizeof grant, &grant, sizeof grant);
            }
            message sg{};
            sg.m_type = SYS_SETGRANT;
            sg.SG_ADDR = at(GRANT_OFF);
            sg.SG_SIZE = GRANTS;
            arch_trap_kernel_call(&sg);
        }
        if (v.pick(8) == 0) {
            const asynmsg_t a = v.plausible_asynmsg();
            str::mem_copy(mem + ASYN_OFF + v.pick(ASYNS) * sizeof a, &a, sizeof a);
        }
        if (v.pick(8) == 0) {  // random bytes in the upper half
            const std::size_t off = MEM_SIZE / 2 + v.pick(MEM_SIZE / 2 - 8);
            const std::uint64_t x = v.bits();
            str::mem_copy(mem + off, &x, sizeof x);
        }
        if (v.pick(2)) {
            message m = v.any_message(false);
            if (aims_at_self(m, self_endpoint())) continue;
            keep_writes_in_scratch(m);
            ++kcalls;
            if (arch_trap_kernel_call(&m) == OK && m.m_type == OK) ++kaccepted;
            continue;
        }
        ++ipcs;
        message m = v.any_message();
        int r;
        switch (v.pick(4)) {
            case 0:
                r = arch_trap_ipc(NOTIFY, v.any_endpoint(), nullptr, 0);
                break;
            case 1:
                r = arch_trap_ipc(SENDA, static_cast<endpoint_t>(v.senda_count()), nullptr,
                                  v.senda_table());
                break;
            case 2:
                if (pong != NONE) {
                    m.m_type = test_svc::PING;
                    r = arch_trap_ipc(SENDREC, pong, &m, 0);
                    break;
                }
                [[fallthrough]];
            default:
                r = arch_trap_ipc(SENDNB, v.any_endpoint(), &m, 0);
                break;
        }
        if (r == OK) ++iaccepted;
    }
    log_printf("fuzz: done %ld traps: %ld kernel calls (%ld accepted), %ld ipc (%ld accepted)\n",
               kcalls + ipcs, kcalls, kaccepted, ipcs, iaccepted);
    test_svc::idle();
}
