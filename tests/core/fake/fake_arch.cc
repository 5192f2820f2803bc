// The fake arch: implements umk/arch.h for unit tests of the core.
#include "fake_arch.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "umk/arch.h"
#include "umk/err.h"
#include "umk/proc.h"

namespace umk {
namespace {

std::string g_log;
std::vector<fake::PortWrite> g_port_writes;
std::map<std::uint16_t, std::uint8_t> g_port_values;
std::set<std::string> g_extra_programs;
int g_ready_calls = 0;
int g_unready_calls = 0;

const char* const builtin_programs[] = {"rs",   "ds",    "pm",   "vfs", "tty", "log", "memory",
                                        "init", "hello", "test", "a",   "b",   "c"};

bool program_known(const char* name) {
    for (const char* p : builtin_programs)
        if (std::strcmp(p, name) == 0) return true;
    return g_extra_programs.count(name) != 0;
}

// [addr, addr+len) inside the fake memory? (Careful with overflow.)
bool in_fake_mem(vir_bytes addr, std::size_t len) {
    if (addr < FAKE_MEM_BASE) return false;
    const vir_bytes off = addr - FAKE_MEM_BASE;
    return off <= FAKE_MEM_SIZE && len <= FAKE_MEM_SIZE - off;
}

}  // namespace

namespace fake {

void reset() {
    g_log.clear();
    g_port_writes.clear();
    g_port_values.clear();
    g_extra_programs.clear();
    g_ready_calls = 0;
    g_unready_calls = 0;
    for (Proc& p : proc_table) p.p_arch = ArchProc{};
}

const std::string& log() {
    return g_log;
}
void clear_log() {
    g_log.clear();
}
const std::vector<PortWrite>& port_writes() {
    return g_port_writes;
}
void set_port_value(std::uint16_t port, std::uint8_t value) {
    g_port_values[port] = value;
}
void add_program(const char* name) {
    g_extra_programs.insert(name);
}
int total_ready_calls() {
    return g_ready_calls;
}
int total_unready_calls() {
    return g_unready_calls;
}

void complete_trap(Proc& p) {
    ArchProc& a = p.p_arch;
    if (p.p_misc_flags & MF_DELIVERMSG) {
        a.msgs[a.delivered % FAKE_MSG_LOG] = p.p_delivermsg;
        ++a.delivered;
        p.p_misc_flags &= ~MF_DELIVERMSG;
    }
    if (a.in_trap) {
        a.in_trap = false;
        a.last_retval = p.p_retval;
        ++a.traps_completed;
    }
}

}  // namespace fake

namespace arch {

void proc_ready(Proc& p) {
    ++g_ready_calls;
    ++p.p_arch.ready_calls;
    fake::complete_trap(p);
}

void proc_unready(Proc& p) {
    ++g_unready_calls;
    ++p.p_arch.unready_calls;
}

int copy_from_proc(const Proc& p, vir_bytes src, void* dst, std::size_t len) {
    if (!in_fake_mem(src, len)) return -EFAULT;
    if (len) std::memcpy(dst, p.p_arch.mem + (src - FAKE_MEM_BASE), len);
    return OK;
}

int copy_to_proc(Proc& p, vir_bytes dst, const void* src, std::size_t len) {
    if (!in_fake_mem(dst, len)) return -EFAULT;
    if (len) std::memcpy(p.p_arch.mem + (dst - FAKE_MEM_BASE), src, len);
    return OK;
}

int proc_spawn(Proc& p, const char* program, const char* args, std::size_t args_len) {
    if (!program) return -ENOENT;
    if (std::strcmp(program, "noexec") == 0) return -ENOEXEC;
    if (!program_known(program)) return -ENOENT;
    ArchProc& a = p.p_arch;
    a.spawned = true;
    std::snprintf(a.program, sizeof a.program, "%s", program);
    a.args_len = args_len < sizeof a.args ? args_len : sizeof a.args;
    if (args && a.args_len) std::memcpy(a.args, args, a.args_len);
    return OK;
}

void proc_destroy(Proc& p) {
    ++p.p_arch.destroy_calls;
    p.p_arch.spawned = false;
}

void proc_swapped(Proc& a, Proc& b) {
    ++a.p_arch.swapped_calls;
    ++b.p_arch.swapped_calls;
}

void log_write(const char* text, std::size_t len) {
    g_log.append(text, len);
}

void port_out(std::uint16_t port, std::uint8_t value) {
    g_port_writes.push_back({port, value});
}

std::uint8_t port_in(std::uint16_t port) {
    auto it = g_port_values.find(port);
    return it == g_port_values.end() ? 0xff : it->second;
}

[[noreturn]] void panic(const char* why) {
    // A kernel panic is always a test failure (or the subject of a death
    // test): say why on stderr and stop.
    std::fprintf(stderr, "umk panic: %s\n", why ? why : "(null)");
    std::fflush(stderr);
    std::abort();
}

}  // namespace arch
}  // namespace umk
