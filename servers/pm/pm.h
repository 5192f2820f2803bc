// PM, the process manager (MINIX servers/pm): user processes and their
// signals. PM's table holds the user processes it spawned; system processes
// belong to RS and are not in it - PM only routes their signals.
#pragma once

#include <cstdint>

#include "umk/config.h"
#include "umk/types.h"

namespace umk::pm {

inline constexpr std::uint32_t MP_IN_USE = 0x1;
inline constexpr std::uint32_t MP_ZOMBIE = 0x2;  // exited, waiting for its parent's wait

struct MProc {
    std::uint32_t flags;
    endpoint_t endpoint;
    endpoint_t parent;  // who spawned it (NONE: orphan, reaped at exit)
    int pid;
    int status;  // wait status once a zombie
    char name[40];
};

void pm_init(endpoint_t self, endpoint_t rs);

int do_spawn(message& m);
int do_exit(message& m);
int do_wait(message& m);
int do_kill(message& m);
int do_srv_kill(message& m);
int do_getpid(message& m);
int handle_request(message& m);

// The SEF signal-manager callback: the kernel raised `sig` for `target`,
// whose signal manager is PM. OK, or -EDEADSRCDST if the target is gone.
int sig_manager(endpoint_t target, int sig);

// A live (not zombie) user process, or nullptr.
const MProc* user_process(endpoint_t ep);
// Any record for ep, zombies included.
const MProc* lookup(endpoint_t ep);

}  // namespace umk::pm
