// The guardian of RS (guard.cc): what the guard decides when RS dies, its
// replacement starts, answers or fails, and at each tick. It reaches the
// system only through GuardHost, so the decisions run in the unit tests
// with a fake (tests/servers/guard_logic_test.cc); main.cc binds it to the
// kernel calls.
#pragma once

#include <cstdarg>
#include <cstdint>

#include "umk/com.h"
#include "umk/config.h"
#include "umk/priv_args.h"
#include "umk/types.h"

namespace umk::guard {

// A new RS must answer its RS_INIT within this (it restores its table and
// compares it with the kernel's process table: well under a second).
inline constexpr int INIT_T = 10 * HZ;
// Wait this long for the new RS to load (SIGKSTART) before swapping it in
// anyway: an arch that loads synchronously never reports a start.
inline constexpr int START_WAIT = HZ / 20 > 0 ? HZ / 20 : 1;
// How often the guard looks at the clock while a restart is in progress.
inline constexpr int TICK = HZ / 20 > 0 ? HZ / 20 : 1;
// RS's liveness: the guard notifies RS every PING_T and RS notifies back.
// No sign of RS for HANG_T (it is hung: frozen, or blocked for good) and the
// guard kills it, which starts the recovery. Generous: RS legitimately
// waits on PM, VM and DS for a moment now and then.
inline constexpr int PING_T = HZ;
inline constexpr int HANG_T = 10 * HZ;
// After this many failed attempts the new RS starts without the dead RS's
// checkpoint (and rebuilds its table from the kernel): a checkpoint that
// passes RS's checks may still be what makes every new RS fail.
inline constexpr int TRUST_CHECKPOINT_FAILURES = 2;
inline constexpr int BACKOFF_BASE = HZ / 4 > 0 ? HZ / 4 : 1;
inline constexpr int BACKOFF_MAX = 8 * HZ;

// Ticks to wait before attempt `failures` + 1: 0 for the first attempt,
// then BACKOFF_BASE doubling up to BACKOFF_MAX.
constexpr int backoff_ticks(int failures) {
    if (failures <= 0) return 0;
    long t = BACKOFF_BASE;
    for (int i = 1; i < failures && t < BACKOFF_MAX; ++i) t *= 2;
    return t < BACKOFF_MAX ? static_cast<int>(t) : BACKOFF_MAX;
}

class GuardHost {
  public:
    virtual int spawn_rs(endpoint_t* ep) = 0;  // sys_spawn("rs"); stays RTS_NO_PRIV
    virtual int set_priv(endpoint_t ep, const priv_args& pa) = 0;
    virtual int allow(endpoint_t ep) = 0;
    virtual int update(endpoint_t src, endpoint_t dst, int flags) = 0;  // sys_update
    virtual int clear(endpoint_t ep) = 0;
    virtual int kill(endpoint_t ep, int sig) = 0;
    virtual int endksig(endpoint_t ep) = 0;
    virtual bool started(endpoint_t ep) = 0;  // MF_STARTED
    // RS_INIT type RESTART to RS's endpoint (asynchronous).
    virtual int send_init(endpoint_t prev_ep, int prev_grant, int restarts) = 0;
    virtual int ping() = 0;  // notify RS
    // GUARD_SIGNAL to RS: a process the guard does not know got `set`.
    virtual int forward(endpoint_t target, std::uint64_t set) = 0;
    virtual clock_t_ now() = 0;
    virtual void vlog(const char* fmt, va_list ap) = 0;  // one line, no newline

  protected:
    ~GuardHost() = default;
};

enum class Phase {
    WATCHING,      // RS runs; the guard waits for its signals
    STARTING,      // a new RS is spawned, with privileges, not yet swapped in
    INITIALIZING,  // swapped in at RS's endpoint, RS_INIT sent, no answer yet
    BACKOFF,       // an attempt failed; the next one starts at deadline
};

class Guardian {
  public:
    void init(GuardHost& host, endpoint_t self);
    // SYS_GETKSIG found `set` for `target` (a process the guard manages).
    void signal(endpoint_t target, std::uint64_t set);
    // SIGKSTART: a process the guard spawned has loaded.
    void started();
    // GUARD_RS_UP from RS's endpoint: the answer of a new RS's init, or
    // RS's answer to GUARD_HELLO. `priv` may be nullptr (not readable).
    void rs_up(int result, int state_grant, const priv_args* priv);
    // A notification from RS: the answer to a ping.
    void rs_alive();
    void tick();
    // Whether the guard needs its clock often (a restart is in progress);
    // else every PING_T.
    bool busy() const { return phase_ != Phase::WATCHING; }

    Phase phase() const { return phase_; }
    int failures() const { return failures_; }
    int state_grant() const { return state_grant_; }
    bool knows_priv() const { return have_priv_; }
    endpoint_t replica() const { return replica_; }
    endpoint_t dead_at() const { return dead_at_; }
    int restarts() const { return restarts_; }

  private:
    void start();
    void swap();
    void failed(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    void logf(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    priv_args rs_priv() const;

    GuardHost* host_ = nullptr;
    endpoint_t self_ = NONE;
    Phase phase_ = Phase::WATCHING;
    endpoint_t replica_ = NONE;  // STARTING: the new RS; INITIALIZING: RS_PROC_NR
    endpoint_t dead_at_ = NONE;  // INITIALIZING: where the dead RS's image waits
    clock_t_ deadline_ = 0;
    clock_t_ began_ = 0;  // STARTING: when the attempt began
    clock_t_ last_ping_ = 0;
    clock_t_ last_alive_ = 0;  // RS's last notification (or its start)
    bool hang_killed_ = false;
    int failures_ = 0;  // failed attempts of this recovery
    int restarts_ = 0;  // RS restarts since the guard started
    int state_grant_ = -1;
    bool have_priv_ = false;
    priv_args priv_{};
};

}  // namespace umk::guard
