// The fake kernel of the service library's unit tests (see fake_trap.h).
#include "fake_trap.h"

#include <gtest/gtest.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <map>

#include "lib_internal.h"
#include "umklib/trap.h"

namespace fake {

std::vector<Trap> traps;
std::string log;
bool echo_log = false;
umk::endpoint_t self = 42;

namespace {

std::deque<IpcAnswer> script;
std::map<int, std::function<int(umk::message&)>> handlers;
std::jmp_buf* armed = nullptr;

[[noreturn]] void block_forever(const char* why) {
    if (!armed) {
        ADD_FAILURE() << "the service blocked for ever outside fake::run (" << why << ")";
        std::abort();
    }
    std::longjmp(*armed, 1);
}

void default_handlers() {
    handlers.clear();
    handlers[umk::SYS_DIAGCTL] = [](umk::message& m) {
        EXPECT_EQ(m.DIAG_CODE, umk::DIAGCTL_CODE_DIAG);
        const std::string text(reinterpret_cast<const char*>(m.DIAG_BUF),
                               static_cast<std::size_t>(m.DIAG_LEN));
        log += text;
        if (echo_log) std::fputs(text.c_str(), stderr);
        return umk::OK;
    };
    handlers[umk::SYS_EXIT] = [](umk::message&) { return BLOCK; };
    handlers[umk::SYS_SETGRANT] = [](umk::message&) { return umk::OK; };
    handlers[umk::SYS_GETINFO] = [](umk::message& m) {
        if (m.I_REQUEST != umk::GET_WHOAMI) return -EINVAL;
        m.m3_i1 = self;
        m.m3_i2 = 0x10;
        std::strcpy(m.m3_ca1, "fakesvc");
        return umk::OK;
    };
}

}  // namespace

void reset() {
    traps.clear();
    log.clear();
    echo_log = false;
    self = 42;
    script.clear();
    default_handlers();
    umk::detail::grants_reset();
    umk::detail::asynsend_reset();
    umk::detail::sef_reset();
}

void push_ipc(const IpcAnswer& a) {
    script.push_back(a);
}

void push_receive(const umk::message& m, int expect_call) {
    push_ipc({expect_call, umk::NONE, umk::OK, true, m});
}

void push_ok(int expect_call, umk::endpoint_t expect_ep) {
    push_ipc({expect_call, expect_ep, umk::OK, false, {}});
}

void push_sendrec(umk::endpoint_t to, const umk::message& reply) {
    push_ipc({umk::SENDREC, to, umk::OK, true, reply});
}

void on_kernel_call(int call, std::function<int(umk::message&)> fn) {
    handlers[call] = std::move(fn);
}

bool run(const std::function<void()>& fn) {
    std::jmp_buf here;
    std::jmp_buf* outer = armed;
    armed = &here;
    if (setjmp(here) != 0) {
        armed = outer;
        return true;
    }
    fn();
    armed = outer;
    return false;
}

std::vector<Trap> ipc_traps() {
    std::vector<Trap> out;
    for (const Trap& t : traps) {
        if (!t.kernel_call) out.push_back(t);
    }
    return out;
}

std::vector<Trap> kernel_calls(int call) {
    std::vector<Trap> out;
    for (const Trap& t : traps) {
        if (t.kernel_call && t.call == call) out.push_back(t);
    }
    return out;
}

umk::message msg(umk::endpoint_t src, int type) {
    umk::message m{};
    m.m_source = src;
    m.m_type = type;
    return m;
}

umk::message notify_from(umk::endpoint_t src, int slot_type, std::int64_t arg) {
    umk::message m = msg(src, slot_type);
    m.NOTIFY_ARG = arg;
    return m;
}

}  // namespace fake

namespace umk {

int arch_trap_ipc(int call, endpoint_t ep, message* m, vir_bytes table) {
    fake::Trap t{false, call, ep, m ? *m : message{}, table};
    fake::traps.push_back(t);
    if (fake::script.empty()) fake::block_forever("IPC trap with no scripted answer");
    const fake::IpcAnswer a = fake::script.front();
    fake::script.pop_front();
    if (a.expect_call != 0) {
        EXPECT_EQ(call, a.expect_call) << "unexpected IPC call";
    }
    if (a.expect_ep != NONE) {
        EXPECT_EQ(ep, a.expect_ep) << "unexpected IPC endpoint";
    }
    if (a.deliver && m) *m = a.msg;
    return a.result;
}

int arch_trap_kernel_call(message* m) {
    fake::traps.push_back({true, m->m_type, 0, *m, 0});
    auto h = fake::handlers.find(m->m_type);
    if (h == fake::handlers.end()) {
        ADD_FAILURE() << "unexpected kernel call 0x" << std::hex << m->m_type;
        return -EBADREQUEST;
    }
    const int r = h->second(*m);
    if (r == fake::BLOCK) fake::block_forever("kernel call that never answers");
    m->m_source = SYSTEM;
    m->m_type = r;
    return OK;
}

endpoint_t arch_self_endpoint() {
    return fake::self;
}

void arch_idle() {
    fake::block_forever("arch_idle");
}

void arch_exit(int) {
    fake::block_forever("arch_exit");
}

}  // namespace umk
