// The control socket's listening end, shared by every proxy slot of the
// kernel (boot config: umkctl, umkctl2 ...). Each proxy serves one client
// at a time; the listener hands a waiting connection to an idle proxy, and
// while none is idle the connections wait in the listen backlog.
#pragma once

#include <string>
#include <vector>

namespace umk::control {

class CtlSock;

struct Listener {
    int fd = -1;
    std::string path;
    bool watching = false;
    std::vector<CtlSock*> proxies;

    void add(CtlSock* p) { proxies.push_back(p); }
    void remove(CtlSock* p);  // the last one closes the socket
    bool open(const char* who);
    void dispatch();  // hand waiting connections to idle proxies
    void watch(bool on);
};
extern Listener listener;

}  // namespace umk::control
