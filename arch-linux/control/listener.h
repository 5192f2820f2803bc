// The control socket's listening end, shared by every proxy slot of the
// kernel (boot config: umkctl, umkctl2 ...). The listener accepts every
// connection at once (any number of clients), checks the peer's uid, reads
// the request and queues it; an idle proxy takes the oldest request it may
// serve. Every request has a deadline (CTL_REQUEST_DEADLINE_MS from its
// accept): one still queued then, or still waiting in a proxy for a service,
// gets EREQTIMEOUT. A proxy whose IPC is stuck stays retired until the IPC
// completes; the last idle proxy is kept for `ps`, which only makes kernel
// calls and so can never be stuck (README.md, "Many clients").
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "ctl_proto.h"

namespace umk::control {

class CtlSock;

// How long a request may wait for its answer, in a queue or in a proxy,
// before the client is told EREQTIMEOUT. Longer than any of RS's own timeouts
// (an init: 10 s, a live update's -maxtime: at most 1200 ticks), so that a
// request RS answers by its own rules is answered. UMK_CTL_DEADLINE_MS in
// the kernel's environment overrides it (for tests).
inline constexpr std::int64_t CTL_REQUEST_DEADLINE_MS = 30'000;
// Connections accepted but not yet taken by a proxy; beyond this a new one
// is told EAGAIN at once.
inline constexpr std::size_t CTL_MAX_WAITING = 256;

// A connection accepted and not yet handed to a proxy.
struct WaitingClient {
    int fd = -1;
    CtlRequest rq{};
    std::size_t got = 0;  // bytes of rq read so far
    std::int64_t deadline_ns = 0;
};

struct Listener {
    int fd = -1;
    int timer_fd = -1;  // ticks the deadlines
    std::string path;
    std::vector<CtlSock*> proxies;
    std::deque<WaitingClient> waiting;

    void add(CtlSock* p) { proxies.push_back(p); }
    void remove(CtlSock* p);  // the last one closes the socket
    bool open(const char* who);
    void dispatch();  // hand complete requests to idle proxies
    std::int64_t deadline_ms() const;

  private:
    bool dispatching_ = false;
    bool redispatch_ = false;

    void accept_all();
    void read_request(int cfd);
    void expire();
    void close_all();
};
extern Listener listener;

// A one-frame answer straight to a connection no proxy serves (refused,
// timed out in the queue), then close it.
void refuse_client(int fd, int status, const std::string& text);
std::int64_t mono_ns();

}  // namespace umk::control
