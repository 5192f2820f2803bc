// The listening socket (listener.h): --sock PATH of the running `umk boot`
// (else the default path), a stale socket file of a dead kernel replaced,
// one taken by a live kernel left alone.
#include "listener.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "client.h"
#include "ctlsock.h"
#include "umk_linux/host.h"

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

}  // namespace

Listener listener;

void Listener::remove(CtlSock* p) {
    std::erase(proxies, p);
    if (proxies.empty() && fd >= 0) {
        watch(false);
        close(fd);
        unlink(path.c_str());
        fd = -1;
    }
}

bool Listener::open(const char* who) {
    path = socket_path();
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (path.size() >= sizeof a.sun_path) {
        linux_host::kernel_log("%s: socket path too long: %s\n", who, path.c_str());
        return false;
    }
    std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0) return false;
    // A socket file nobody answers on is left over from a dead kernel.
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe >= 0 && connect(probe, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        linux_host::kernel_log("%s: %s is served by another kernel; no control socket\n", who,
                               path.c_str());
        close(probe);
        close(s);
        return false;
    }
    if (probe >= 0) close(probe);
    unlink(path.c_str());
    if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(s, 16) != 0) {
        linux_host::kernel_log("%s: cannot listen on %s: %s\n", who, path.c_str(),
                               std::strerror(errno));
        close(s);
        return false;
    }
    fd = s;
    linux_host::kernel_log("%s: control socket %s\n", who, path.c_str());
    return true;
}

void Listener::watch(bool on) {
    if (fd < 0 || on == watching) return;
    watching = on;
    if (on)
        linux_host::watch_fd(fd, POLLIN, [this](int, short) { dispatch(); });
    else
        linux_host::unwatch_fd(fd);
}

void Listener::dispatch() {
    if (fd < 0) return;
    for (CtlSock* p : proxies) {
        if (!p->idle()) continue;
        int c = accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c < 0) break;  // nobody waiting
        p->take_client(c);
    }
    bool any_idle = false;
    for (CtlSock* p : proxies) any_idle = any_idle || p->idle();
    watch(any_idle);  // no idle proxy: connections wait in the backlog
}

}  // namespace umk::control
