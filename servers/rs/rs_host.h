// The real Host of RS: every operation through the service library
// (kernel calls, IPC, the DS and VM clients). No host calls.
#pragma once

#include "host.h"

// RS_INIT from the old RS to its new instance (RS_INIT_TYPE is SEF_INIT_LU,
// RS_INIT_OLD_ENDPT RS's endpoint, RS_INIT_DEBUG as for every service): the
// grant of the old instance's state block and its size. The new instance
// answers with an RS_INIT message (RS_INIT_RESULT) by a plain SEND: it must
// be receiving from VM, not waiting for RS, when the swap happens.
#define RS_INIT_STATE_GRANT m1_l2
#define RS_INIT_STATE_LEN m1_p1

namespace umk::rs {

class SysHost final : public Host {
  public:
    int spawn(const char* program, const char* args, std::size_t args_len, endpoint_t* ep) override;
    int set_priv(endpoint_t ep, const priv_args& pa) override;
    int allow(endpoint_t ep) override;
    int kill(endpoint_t ep, int sig) override;
    int clear(endpoint_t ep) override;
    int vm_update(endpoint_t src, endpoint_t dst, bool rollback) override;
    int update(endpoint_t src, endpoint_t dst, int flags) override;
    int priv_id(endpoint_t ep) override;
    bool started(endpoint_t ep) override;
    int send_init(endpoint_t ep, int type, int restarts, endpoint_t old_ep, int debug,
                  endpoint_t prev_ep, int prev_grant) override;
    int send_lu_prepare(endpoint_t ep, int state, int maxtime) override;
    int send_signal(endpoint_t ep, int sig) override;
    int ping(endpoint_t ep) override;
    int send_fi(endpoint_t ep) override;
    int reply(endpoint_t to, int result, endpoint_t ep_field) override;
    int grant(endpoint_t to, void* addr, std::size_t len) override;
    void revoke(int grant) override;
    int copy_from(endpoint_t granter, int grant, std::size_t offset, void* buf,
                  std::size_t len) override;
    int copy_to(endpoint_t granter, int grant, std::size_t offset, const void* buf,
                std::size_t len) override;
    int send_init_self(endpoint_t ep, int debug, int grant, std::size_t len) override;
    bool receiving(endpoint_t ep) override;
    int spawn_user(const char* block, std::size_t len, endpoint_t* ep) override;
    bool running(endpoint_t ep) override;
    int reap(endpoint_t ep) override;
    bool is_user(endpoint_t ep) override;
    std::uint32_t authority(endpoint_t ep) override;
    int publish_label(const char* label, endpoint_t ep) override;
    int delete_label(const char* label) override;
    clock_t_ now() override;
    void vlog(const char* fmt, va_list ap) override;
};

}  // namespace umk::rs
