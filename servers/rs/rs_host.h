// The real Host of RS: every operation through the service library
// (kernel calls, IPC, the DS and VM clients). No host calls.
#pragma once

#include "host.h"

namespace umk::rs {

class SysHost final : public Host {
  public:
    int spawn(const char* program, const char* args, std::size_t args_len, endpoint_t* ep) override;
    int set_priv(endpoint_t ep, const priv_args& pa) override;
    int allow(endpoint_t ep) override;
    int kill(endpoint_t ep, int sig) override;
    int clear(endpoint_t ep) override;
    int vm_update(endpoint_t src, endpoint_t dst, bool rollback) override;
    int priv_id(endpoint_t ep) override;
    bool started(endpoint_t ep) override;
    int send_init(endpoint_t ep, int type, int restarts, endpoint_t old_ep, int debug) override;
    int send_lu_prepare(endpoint_t ep, int state, int maxtime) override;
    int send_signal(endpoint_t ep, int sig) override;
    int ping(endpoint_t ep) override;
    int reply(endpoint_t to, int result, endpoint_t ep_field) override;
    int publish_label(const char* label, endpoint_t ep) override;
    int delete_label(const char* label) override;
    clock_t_ now() override;
    void vlog(const char* fmt, va_list ap) override;
};

}  // namespace umk::rs
