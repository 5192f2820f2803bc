// A scripted fake kernel behind the service library's trap boundary
// (umklib/trap.h). It records every trap the service makes and answers from
// a script; a trap with no answer is one the service would block in for
// ever, which ends fake::run() (like sys_exit, whose success never returns).
#pragma once

#include <climits>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "umk/com.h"
#include "umk/err.h"

namespace fake {

struct Trap {
    bool kernel_call;  // else IPC
    int call;          // IPC call or kernel call number
    umk::endpoint_t ep;
    umk::message msg;  // as the service passed it
    umk::vir_bytes table;
};

inline constexpr int BLOCK = INT_MIN;  // a kernel-call handler's "never answers"

struct IpcAnswer {
    int expect_call;            // 0: any
    umk::endpoint_t expect_ep;  // umk::NONE: any
    int result;
    bool deliver;  // copy msg out (RECEIVE / SENDREC)
    umk::message msg;
};

extern std::vector<Trap> traps;
extern std::string log;  // all SYS_DIAGCTL text
extern bool echo_log;    // also write it to stderr (death tests)
extern umk::endpoint_t self;

// Start from a freshly started service: empty script and records, default
// kernel-call handlers, the library's tables and SEF state reset.
void reset();

void push_ipc(const IpcAnswer& a);
// The next RECEIVE (or SENDREC) delivers m with result OK.
void push_receive(const umk::message& m, int expect_call = umk::RECEIVE);
// The next trap of this kind (SEND, NOTIFY, SENDA...) succeeds.
void push_ok(int expect_call, umk::endpoint_t expect_ep = umk::NONE);
// The next SENDREC to `to` gets `reply`.
void push_sendrec(umk::endpoint_t to, const umk::message& reply);

// Handle kernel call `call`: fn gets the request (fields) and fills the
// reply; returns the call's result (put in m_type) or BLOCK.
void on_kernel_call(int call, std::function<int(umk::message&)> fn);

// Run fn; true if the service blocked for ever (an unanswered trap,
// sys_exit, arch_idle, arch_exit).
bool run(const std::function<void()>& fn);

// Helpers for assertions.
std::vector<Trap> ipc_traps();
std::vector<Trap> kernel_calls(int call);
umk::message notify_from(umk::endpoint_t src, int slot_type, std::int64_t arg = 0);
umk::message msg(umk::endpoint_t src, int type);

}  // namespace fake
