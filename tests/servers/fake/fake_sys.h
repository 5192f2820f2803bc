// An in-process stand-in for the service library, for the servers' unit
// tests: several "processes" (endpoints) live in one test binary. A
// SENDREC to an endpoint with a registered handler runs that handler as if
// the destination had received the message (m_source = the caller) and
// returns its reply; grants are real pointers checked against a table;
// notifications, sends and kernel calls are recorded.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "umk/types.h"

namespace fake {

using umk::endpoint_t;
using umk::message;

// Returns the reply's m_type (OK, -Exxx), or -EDONTREPLY.
using Handler = std::function<int(message& m)>;

void reset();
// The process the test code currently runs as.
void set_self(endpoint_t ep);
endpoint_t self();
void route(endpoint_t ep, Handler h);  // nullptr: ep is dead (EDEADSRCDST)

// Asynchronous delivery (off after reset): asynsend and sendnb to a routed
// endpoint are queued, and after each outermost SENDREC the queue is run
// until it is empty: each message goes to its destination's handler (as
// if received), and a handler's result other than -EDONTREPLY goes back to
// the sender the same way (as driver_task answers). A send to the caller
// blocked in that SENDREC is its reply; if none comes, SENDREC returns
// -ELOCKED (it would block). Sends to a dead endpoint (route(ep, nullptr))
// fail with EDEADSRCDST (sendnb) or are dropped (asynsend, as the kernel
// marks the entry and nobody looks). Everything is still recorded in sent().
void deliver_async(bool on);
// Run the queue now (e.g. after changing a route).
void run_queue();
// Messages queued and not delivered yet.
std::size_t queued();
// The clock for sys_uptime / sys_setalarm (ticks, sys_hz() = 60) and the
// last absolute alarm set (0: none).
extern umk::clock_t_ uptime;
extern umk::clock_t_ alarm;
// sys_getinfo(GET_PROCINFO, ep): -EINVAL for these endpoints (and for dead
// routes), as for a process that no longer exists.
void mark_gone(endpoint_t ep);

struct Sent {
    endpoint_t from, to;
    message m;
    bool async;
};
struct Notified {
    endpoint_t from, to;
};
std::vector<Notified>& notifies();
std::vector<Sent>& sent();  // send, sendnb, asynsend (not sendrec)
std::string& log();         // everything logged (log_printf, panic)
int grants_in_use();

// Kernel calls: recorded as text ("sys_update 3 7 0"), and answered by
// the hook if one is set (else OK).
std::vector<std::string>& kcalls();
extern std::function<int(endpoint_t src, endpoint_t dst, int flags)> on_sys_update;
extern std::function<int(endpoint_t ep, int sig)> on_sys_kill;
extern std::function<int(endpoint_t ep)> on_sys_clear;
extern std::function<int(endpoint_t ep, int request)> on_sys_privctl;
extern std::function<int(const char* program, endpoint_t* ep)> on_sys_spawn;
// Called first by every SENDREC (from, to, the request); a result other
// than OK is what ipc_sendrec returns, without delivering (e.g. -ERESTART:
// the destination died holding the request).
extern std::function<int(endpoint_t from, endpoint_t to, message& m)> on_sendrec;
// GET_PROCINFO's priv_flags of an endpoint (sys_getinfo; other requests
// answer EINVAL): an endpoint not listed has every authority flag
// (umk/priv_flags.h), so only the tests of authority set them.
std::map<endpoint_t, std::uint32_t>& priv_flags();
// Pending kernel signals for sys_getksig (endpoint, set); consumed in order.
std::vector<std::pair<endpoint_t, umk::sigset_t_>>& ksigs();

}  // namespace fake
