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
// GET_PROCINFO's priv_flags of an endpoint (sys_getinfo; other requests
// answer EINVAL): an endpoint not listed has every authority flag
// (umk/priv_flags.h), so only the tests of authority set them.
std::map<endpoint_t, std::uint32_t>& priv_flags();
// Pending kernel signals for sys_getksig (endpoint, set); consumed in order.
std::vector<std::pair<endpoint_t, umk::sigset_t_>>& ksigs();

}  // namespace fake
