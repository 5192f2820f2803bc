// The listening socket (listener.h): --sock PATH of the running `umk boot`
// (else the default path) in a private directory (socket_dir.h), mode 0600;
// a stale socket file of a dead kernel replaced, one taken by a live kernel
// left alone. Every connection is accepted at once; only the kernel's own
// uid (or root) may talk to it.
#include "listener.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>

#include "ctlsock.h"
#include "socket_dir.h"
#include "umk/err.h"
#include "umk_linux/kernel_thread.h"

namespace umk::control {
namespace {

// --sock PATH of the running `umk boot`, else the default path.
std::string socket_path() {
    std::ifstream f("/proc/self/cmdline", std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::string prev;
    for (std::size_t pos = 0; pos < all.size();) {
        std::string arg = all.c_str() + pos;
        pos += arg.size() + 1;
        if (prev == "--sock") return arg;
        prev = arg;
    }
    return default_socket_path();
}

// The deadlines are checked this often (and a timed-out client told so
// within this much of its deadline).
constexpr long DEADLINE_TICK_NS = 100'000'000;

// The peer's uid must be the kernel's (or root's): anyone else could start
// programs as the kernel's owner through RS.
bool peer_allowed(int cfd, std::string* why) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
        *why = std::string("cannot tell who is connecting: ") + std::strerror(errno);
        return false;
    }
    if (cred.uid == geteuid() || cred.uid == 0) return true;
    *why = "permission denied: uid " + std::to_string(cred.uid) +
           " may not control this kernel (it belongs to uid " + std::to_string(geteuid()) + ")";
    return false;
}

}  // namespace

Listener listener;

std::int64_t mono_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

void refuse_client(int fd, int status, const std::string& text) {
    CtlReply r{};
    r.magic = CTL_MAGIC;
    r.status = status;
    r.endpoint = NONE;
    std::snprintf(r.text, sizeof r.text, "%s", text.c_str());
    // Into the empty buffer of a fresh connection: never blocks.
    (void)!send(fd, &r, sizeof r, MSG_NOSIGNAL | MSG_DONTWAIT);
    close(fd);
}

std::int64_t Listener::deadline_ms() const {
    if (const char* e = std::getenv("UMK_CTL_DEADLINE_MS"); e && *e) {
        const long long v = std::atoll(e);
        if (v > 0) return v;
    }
    return CTL_REQUEST_DEADLINE_MS;
}

void Listener::remove(CtlSock* p) {
    std::erase(proxies, p);
    if (proxies.empty() && fd >= 0) close_all();
}

void Listener::close_all() {
    for (WaitingClient& w : waiting) {
        linux_host::unwatch_fd(w.fd);
        close(w.fd);
    }
    waiting.clear();
    if (timer_fd >= 0) {
        linux_host::unwatch_fd(timer_fd);
        close(timer_fd);
        timer_fd = -1;
    }
    linux_host::unwatch_fd(fd);
    close(fd);
    unlink(path.c_str());
    fd = -1;
}

bool Listener::open(const char* who) {
    path = socket_path();
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (path.size() >= sizeof a.sun_path) {
        linux_host::kernel_log("%s: socket path too long: %s\n", who, path.c_str());
        return false;
    }
    if (std::string why = prepare_socket_dir(path); !why.empty()) {
        linux_host::kernel_log("%s: %s; no control socket\n", who, why.c_str());
        return false;
    }
    std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
    // A socket file nobody answers on is left over from a dead kernel.
    if (socket_is_live(path)) {
        linux_host::kernel_log("%s: %s is served by another kernel; no control socket\n", who,
                               path.c_str());
        return false;
    }
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0) return false;
    unlink(path.c_str());
    // The file is created with the umask's bits (umask 000: anyone could
    // connect): 0600 from the start, and set again in case of an odd umask.
    const mode_t old_mask = umask(0177);
    const bool bound = bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    umask(old_mask);
    if (!bound || chmod(path.c_str(), 0600) != 0 || listen(s, SOMAXCONN) != 0) {
        linux_host::kernel_log("%s: cannot listen on %s: %s\n", who, path.c_str(),
                               std::strerror(errno));
        close(s);
        return false;
    }
    fd = s;
    timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (timer_fd >= 0) {
        itimerspec its{{0, DEADLINE_TICK_NS}, {0, DEADLINE_TICK_NS}};
        timerfd_settime(timer_fd, 0, &its, nullptr);
        linux_host::watch_fd(timer_fd, POLLIN, [this](int, short) { expire(); });
    }
    linux_host::watch_fd(fd, POLLIN, [this](int, short) { accept_all(); });
    linux_host::kernel_log("%s: control socket %s\n", who, path.c_str());
    return true;
}

void Listener::accept_all() {
    for (;;) {
        const int c = accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c < 0) return;  // nobody else waiting
        std::string why;
        if (!peer_allowed(c, &why)) {
            linux_host::kernel_log("umkctl: connection refused: %s\n", why.c_str());
            refuse_client(c, -EPERM, why);
            continue;
        }
        if (waiting.size() >= CTL_MAX_WAITING) {
            refuse_client(c, -EAGAIN, "too many control requests waiting; try again");
            continue;
        }
        waiting.push_back({c, {}, 0, mono_ns() + deadline_ms() * 1'000'000});
        linux_host::watch_fd(c, POLLIN, [this](int cfd, short) { read_request(cfd); });
    }
}

void Listener::read_request(int cfd) {
    auto it = std::find_if(waiting.begin(), waiting.end(),
                           [cfd](const WaitingClient& w) { return w.fd == cfd; });
    if (it == waiting.end()) return;
    auto* buf = reinterpret_cast<char*>(&it->rq);
    while (it->got < sizeof it->rq) {
        const ssize_t n = recv(cfd, buf + it->got, sizeof it->rq - it->got, 0);
        if (n > 0) {
            it->got += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        linux_host::unwatch_fd(cfd);  // closed or failed before a whole request
        close(cfd);
        waiting.erase(it);
        return;
    }
    linux_host::unwatch_fd(cfd);
    dispatch();
}

// In order of arrival. A request that may wait on a service (RS, or devman
// and PM for cat) never takes the last idle proxy when there are several:
// that one is kept for `ps`, which cannot get stuck.
void Listener::dispatch() {
    if (fd < 0) return;
    // A proxy may answer at once (a bad request) and so come back here:
    // the outer call goes round again instead.
    if (dispatching_) {
        redispatch_ = true;
        return;
    }
    dispatching_ = true;
    do {
        redispatch_ = false;
        for (auto it = waiting.begin(); it != waiting.end();) {
            if (it->got < sizeof it->rq) {
                ++it;
                continue;
            }
            const auto idle = std::count_if(proxies.begin(), proxies.end(),
                                            [](const CtlSock* p) { return p->idle(); });
            const std::ptrdiff_t keep = it->rq.op == CTL_PS || proxies.size() < 2 ? 0 : 1;
            if (idle <= keep) {
                ++it;
                continue;
            }
            CtlSock* p = *std::find_if(proxies.begin(), proxies.end(),
                                       [](const CtlSock* q) { return q->idle(); });
            const WaitingClient w = *it;
            it = waiting.erase(it);
            p->take_request(w.fd, w.rq, w.deadline_ns);
        }
    } while (redispatch_);
    dispatching_ = false;
}

void Listener::expire() {
    std::uint64_t ticks = 0;
    (void)!read(timer_fd, &ticks, sizeof ticks);
    const std::int64_t now = mono_ns();
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.1f", static_cast<double>(deadline_ms()) / 1000);
    for (auto it = waiting.begin(); it != waiting.end();) {
        if (now < it->deadline_ns) {
            ++it;
            continue;
        }
        linux_host::unwatch_fd(it->fd);
        refuse_client(it->fd, -EREQTIMEOUT,
                      std::string("no control proxy became free within ") + secs +
                          " s (all are waiting on services)");
        it = waiting.erase(it);
    }
    for (CtlSock* p : proxies) p->expire(now);
}

}  // namespace umk::control
