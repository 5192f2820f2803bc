// CTL_RS: the proxy passes an RS request on as `service` would (SENDREC to
// RS, the request block behind a grant) and fills in what only the host
// knows (the host pids of RS_LIST). Only RS_SHUTDOWN has an effect of its
// own: once RS has taken every service down, the kernel stops.
#pragma once

#include "umk/types.h"

namespace umk::control {

class CtlSock;

class RsProxy {
  public:
    explicit RsProxy(CtlSock& slot) : slot_(slot) {}
    void start();                                 // the client's request to RS
    void done(int result, const message* reply);  // RS's answer

  private:
    CtlSock& slot_;
};

}  // namespace umk::control
