// What RS's policy needs from the system, as one interface: the real
// binding (rs_host.cc) goes through the service library; the unit tests use
// a fake. Every call returns OK or a negative MINIX error.
#pragma once

#include <cstdarg>
#include <cstddef>
#include <cstdint>

#include "umk/priv_args.h"
#include "umk/types.h"

namespace umk::rs {

class Host {
  public:
    // Create a process from a binary; it stays stopped (RTS_NO_PRIV).
    virtual int spawn(const char* program, const char* args, std::size_t args_len,
                      endpoint_t* ep) = 0;
    virtual int set_priv(endpoint_t ep, const priv_args& pa) = 0;  // SYS_PRIVCTL SET_SYS
    virtual int allow(endpoint_t ep) = 0;                          // SYS_PRIVCTL ALLOW
    virtual int kill(endpoint_t ep, int sig) = 0;                  // sys_kill
    virtual int clear(endpoint_t ep) = 0;                          // sys_clear
    // VM_RS_UPDATE -> sys_update; `rollback` passes SYS_UPD_ROLLBACK.
    virtual int vm_update(endpoint_t src, endpoint_t dst, bool rollback) = 0;
    // sys_update directly (no VM: VM itself may be the one restarting), with
    // SYS_UPD_RESTART (a replica takes over a dead image's endpoint) or
    // SYS_UPD_ROLLBACK (swap the two back).
    virtual int update(endpoint_t src, endpoint_t dst, int flags) = 0;
    // Priv id of a live process (for ipc masks), or a negative error.
    virtual int priv_id(endpoint_t ep) = 0;
    // Whether a spawned process has started: run up to its first trap, so
    // it is loaded and waits for its privileges (the kernel's MF_STARTED).
    // false if not yet, unknown or gone.
    virtual bool started(endpoint_t ep) = 0;

    // Messages to services (asynchronous: RS never blocks on a service).
    // `prev_ep`/`prev_grant`: where the predecessor's image waits and the
    // grant of its state area (umklib/sef_state.h), NONE/-1 for none.
    virtual int send_init(endpoint_t ep, int type, int restarts, endpoint_t old_ep, int debug,
                          endpoint_t prev_ep, int prev_grant) = 0;
    virtual int send_lu_prepare(endpoint_t ep, int state, int maxtime) = 0;
    virtual int send_signal(endpoint_t ep, int sig) = 0;  // SIGS_SIGNAL_RECEIVED
    virtual int ping(endpoint_t ep) = 0;                  // heartbeat notify
    virtual int send_fi(endpoint_t ep) = 0;               // RS_FI: crash on purpose
    // Answer a process blocked in SENDREC to RS (a client or a service's
    // init / LU-ready call). `ep_field` goes to RS_ENDPOINT.
    virtual int reply(endpoint_t to, int result, endpoint_t ep_field) = 0;

    // RS's live update of itself: the state block goes from the old
    // instance to the new one through a grant (read and write: the new one
    // writes its verdict back when it gives up).
    virtual int grant(endpoint_t to, void* addr, std::size_t len) = 0;  // id or error
    virtual void revoke(int grant) = 0;
    virtual int copy_from(endpoint_t granter, int grant, std::size_t offset, void* buf,
                          std::size_t len) = 0;
    virtual int copy_to(endpoint_t granter, int grant, std::size_t offset, const void* buf,
                        std::size_t len) = 0;
    // RS_INIT type LU to a new instance of RS, with the state block's grant.
    virtual int send_init_self(endpoint_t ep, int debug, int grant, std::size_t len) = 0;
    // Whether a process is blocked receiving and not held by a signal: the
    // new RS waiting for the swap (the kernel only swaps a process at such a
    // safe point).
    virtual bool receiving(endpoint_t ep) = 0;

    // Recovery scripts: a user process through PM (PM_SPAWN with the block
    // "program\0arg\0...", parent RS); whether it still runs (running); PM_WAIT for it
    // once it is gone (a zombie then: PM answers at once). A user process:
    // the caller of a request shares the user privilege record.
    virtual int spawn_user(const char* block, std::size_t len, endpoint_t* ep) = 0;
    virtual bool running(endpoint_t ep) = 0;
    virtual int reap(endpoint_t ep) = 0;
    virtual bool is_user(endpoint_t ep) = 0;
    // The authority flags (umk/priv_flags.h) the kernel keeps with a
    // process's privileges; 0 for none or a gone process.
    virtual std::uint32_t authority(endpoint_t ep) = 0;

    // DS labels (RS owns them).
    virtual int publish_label(const char* label, endpoint_t ep) = 0;
    virtual int delete_label(const char* label) = 0;

    virtual clock_t_ now() = 0;
    virtual void vlog(const char* fmt, va_list ap) = 0;  // one line, no newline

  protected:
    ~Host() = default;
};

}  // namespace umk::rs
