// RS's policy: the service table and what happens on each request, reply,
// signal and clock tick (MINIX servers/rs/manager.c, request.c). It talks
// to the system only through Host, so the whole state machine runs
// unchanged in the unit tests. One class, implemented as MINIX splits RS:
// table.cc, request.cc, recovery.cc, update.cc, self_update.cc, scripts.cc.
#pragma once

#include <cstdint>

#include "host.h"
#include "umk/com.h"
#include "umk/config.h"
#include "umk/types.h"
#include "umklib/rs_proto.h"
#include "umklib/system_conf.h"

namespace umk::rs {

inline constexpr int NR_SERVICES = 64;  // records: live instances, replicas, dead ones kept
// RS's clock period (MINIX RS_DELTA_T is 60 = 1 s; umk checks 4x a second so
// that timeouts and heartbeats are noticed promptly).
inline constexpr int RS_DELTA_T = HZ / 4 > 0 ? HZ / 4 : 1;
inline constexpr int RS_INIT_T = 10 * HZ;  // a fresh / restart init must finish in this
inline constexpr int RS_DOWN_T = 2 * HZ;   // SIGTERM, then SIGKILL after this
inline constexpr int MAX_BACKOFF = 30;     // in RS_DELTA_T periods
// A service up this long without a crash has its restart count (and so its
// backoff) reset to 0: a crash a day apart is a first crash again.
inline constexpr int RS_BACKOFF_RESET = 30 * HZ;
inline constexpr int LU_MAXTIME_DEFAULT = 120;  // ticks, as MINIX
inline constexpr int RS_SCRIPT_T = 10 * HZ;     // a recovery script must be done in this
inline constexpr int NR_SCRIPTS = 8;            // recovery scripts running at once
inline constexpr int LU_MAXTIME_MAX = 1200;
// A live update asks the old version to prepare only once the new one has
// started (loaded and waiting for its privileges; the kernel says so with
// SIGKSTART), so that the endpoint is not left to an image still loading.
// An arch that never reports a start (i386 loads synchronously) gets the
// request after this many ticks instead.
inline constexpr int LU_START_WAIT = HZ / 20 > 0 ? HZ / 20 : 1;

// How long a service that crashed `restarts` times before waits, in RS
// periods: the first crash restarts at once, then min(2^restarts, 30).
constexpr int backoff_periods(int restarts) {
    if (restarts <= 0) return 0;
    if (restarts >= 5) return MAX_BACKOFF;
    int p = 1 << restarts;
    return p < MAX_BACKOFF ? p : MAX_BACKOFF;
}

struct Service {
    std::uint32_t flags;  // RS_* (umklib/rs_proto.h)
    char label[PROC_NAME_LEN];
    char program[PROGRAM_MAX];
    std::uint32_t args_len;
    char args[ARGS_MAX];
    conf::ServiceConf conf;
    endpoint_t endpoint;
    int restarts;
    int period;
    clock_t_ check_tm;    // last ping
    clock_t_ alive_tm;    // last sign of life
    clock_t_ stop_tm;     // EXITING: when SIGTERM was sent
    clock_t_ deadline;    // INITIALIZING: init timeout
    clock_t_ restart_tm;  // TERMINATED, waiting to restart: when
    bool restart_pending;
    bool published;
    bool init_deferred;        // boot service: RS_INIT waits for DS
    int init_error;            // the init's own error, if it reported one
    endpoint_t caller;         // LATEREPLY: who waits
    Service* prev;             // replica: the dead instance it replaces (kept frozen)
    char script[PROGRAM_MAX];  // recovery script, "" = RS restarts it itself
    int state_grant;           // of its state area (its RS_INIT answer), -1 for none
    // Restart policy `restart`: this replica took over the endpoint of `prev`
    // (SYS_UPD_RESTART), whose frozen image now sits at the replica's former
    // endpoint, which prev->endpoint holds until the replica's init is done
    // (then the image is cleared) or fails (then the two are swapped back).
    bool took_over;
    clock_t_ up_tm;  // when it became active (the restart count decays, RS_BACKOFF_RESET)
};

// A recovery script RS started (a user process, child of RS in PM). It may
// ask RS to refresh, restart or take down its label, nothing else.
struct Script {
    bool active;
    Service* dead;  // the failed instance it decides about (nullptr once released)
    bool acted;     // it refreshed / restarted / took down its service
    bool killed;    // RS_SCRIPT_T passed: RS killed it
    endpoint_t endpoint;
    char label[PROC_NAME_LEN];
    char program[PROGRAM_MAX];
    clock_t_ deadline;
};

// A live update is a batch (one service, or the queue `service sysctl
// upd_run` runs): every member prepares, then all are swapped, then all new
// versions initialize; RS answers none of them until all have answered, and
// one failure rolls every member back (update.cc).
inline constexpr int LU_MAX_MEMBERS = 8;

struct UpdateMember {
    Service* old_srv;
    Service* new_srv;
    int state;
    int maxtime;  // ticks: to reach the state (from the batch's start), then to initialize
    int debug;
    bool prepare_sent;  // RS_LU_PREPARE went to the old version (see LU_START_WAIT)
    bool ready;         // the old version waits in its ready SENDREC
    bool answered;      // the old version's ready SENDREC got its answer (an error)
    bool swapped;       // VM_RS_UPDATE done: new image at the old endpoint
    bool init_ok;       // the new version initialized; its answer waits for the others
    bool direct_swap;   // VM is a member too: the kernel swaps (swap_images)
    bool swap_refused;  // the kernel said EBUSY once: retried at the next tick
};

struct Update {
    bool active;
    bool swapped;  // every member swapped: the new versions initialize
    int n;
    UpdateMember m[LU_MAX_MEMBERS];
    clock_t_ start;
    endpoint_t requester;
    int result;       // error to report if a new version dies (ERESTART by default)
    bool with_rs;     // RS is a member too: its own update (sup_) answers the requester
    bool swap_retry;  // a member's swap was refused for now (update_swap)
};

// `service update ... -q`: the requests wait here for `service sysctl upd_run`.
struct UpdateQueue {
    int n;
    rs_start st[LU_MAX_MEMBERS];
};

// RS's live update of itself (self_update.cc). The old instance spawns the
// new one, which initializes at its own endpoint with the old RS as its
// signal manager; once it is ready the old RS writes its state block and
// asks VM to swap the two (the swap never returns to the old image: the new
// image takes VM's answer at RS's endpoint and the old one stays frozen
// until the new RS clears it).
struct SelfUpdate {
    bool active;
    bool ready;  // the new instance initialized: swap once the table is quiet
    endpoint_t new_ep;
    endpoint_t requester;
    int debug;
    int maxtime;
    int grant;          // of the state block, to RS's endpoint (the new RS after the swap)
    clock_t_ deadline;  // init, then reaching a quiet table
    bool quick_retry;   // the swap was refused for now (EBUSY): retry at the next tick
    bool waiting_logged;
    // Part of a multi-component update (update.cc): once this instance has
    // initialized, the other members are updated; RS swaps itself only
    // when all of them have initialized and committed.
    bool batch;
};

// The state block: the Manager's table as plain data, the first thing a
// new RS reads (through the grant) once it owns RS's endpoint.
inline constexpr std::uint32_t STATE_MAGIC = 0x54535352;  // "RSST"
// 2: script, 3: conf.authority, 4: state_grant, 5: conf.policy, took_over, up_tm
inline constexpr std::uint32_t STATE_VERSION = 5;
inline constexpr std::uint32_t STATE_DS_READY = 0x1;

struct StateRecord {
    Service svc;        // svc.prev is meaningless here: see prev
    std::int32_t prev;  // index of the dead predecessor of a replica, -1 for none
    std::int32_t pad;
};

struct State {
    std::uint32_t magic;
    std::uint32_t version;
    std::uint32_t size;         // sizeof(State): old and new must agree on the layout
    std::uint32_t record_size;  // sizeof(StateRecord)
    std::int32_t nr_records;    // NR_SERVICES
    std::int32_t result;        // written by the new RS when it gives up (then it rolls back)
    endpoint_t self;            // RS's endpoint
    endpoint_t requester;       // who waits for the answer to `update ... -label rs`
    endpoint_t new_instance;    // the new RS's endpoint before the swap (the old image's after it)
    std::uint32_t flags;        // STATE_*
    StateRecord records[NR_SERVICES];
};

// A parsed request from a client.
struct Request {
    int type;  // RS_UP ...
    endpoint_t caller;
    const rs_start* start;  // UP, RUN, UPDATE
    const char* label;      // DOWN, REFRESH, RESTART, LOOKUP
    int subtype = 0;        // SYSCTL: RS_SYSCTL_*
};

class Manager {
  public:
    // `builtin` is the system.conf RS was built with; `self` is RS's endpoint.
    void init(Host& host, const conf::Config* builtin, endpoint_t self);

    // Adopt a boot process (created by the kernel, waiting for privileges).
    // Its RS_INIT waits until DS has initialized and the labels are
    // published (services look each other up, and DS knows callers by label).
    int adopt_boot(const char* label, endpoint_t ep);
    // Every boot process adopted: without a DS in the boot image, start the
    // waiting inits now.
    void boot_done();

    // A client request. Returns the reply result (>= OK), or EDONTREPLY when
    // the reply comes later. *ep_out gets RS_ENDPOINT for LOOKUP/UP.
    int request(const Request& rq, endpoint_t* ep_out);
    // A service's RS_INIT answer (it is blocked in SENDREC until RS replies).
    // `state_grant`: the grant of its state area it reported (-1: none).
    void init_reply(endpoint_t src, int result, int state_grant = -1);
    // A service's RS_LU_PREPARE answer: ready (OK) or not (an error).
    void lu_ready(endpoint_t src, int result);
    // Signal manager callback: a kernel signal for a process RS manages.
    // Returns OK (process goes on) or -EDEADSRCDST (it is dead: keep it frozen).
    int signal(endpoint_t target, int sig);
    // A notification from a service (heartbeat answer).
    void notified(endpoint_t src);
    // RS's clock: heartbeats, timeouts, backoff.
    void tick();
    // SIGKSTART: a process RS spawned has started (reached its first trap).
    void proc_started();
    // A live update waits for its new version to start: RS's clock should
    // tick within LU_START_WAIT ticks (the fallback).
    bool awaiting_start() const;
    // RS's own update wants its next tick soon (the swap was refused for now).
    bool wants_quick_tick() const { return sup_.active && sup_.quick_retry; }

    // RS's live update of itself, on the new instance: it now owns RS's
    // endpoint, the old image waits at `old_instance`. Reads the state block
    // through `grant`, takes the table over, answers the requester and clears
    // the old image. If the block is unusable, or `forced` (an error, from
    // `service update -y`) is set, it writes the error into the old instance's
    // block and asks VM to swap back (which, when it works, never returns
    // here). Returns OK when this instance is RS now, else the error.
    int take_over(endpoint_t old_instance, int grant, int forced);
    // The state block (tests; take_over and the old instance use them).
    void save_state(State* out, endpoint_t requester, endpoint_t new_instance) const;
    // Checks everything first: -EINVAL and nothing changed if the block is bad.
    int load_state(const State& in);
    const SelfUpdate& self_update_state() const { return sup_; }

    // ---- RS's own recovery (restore.cc): RS is restarted by its guardian ----
    // The table as a checkpoint (sef_state) of the running RS: the state
    // block, less what only this instance could finish (running scripts).
    void checkpoint(State* out) const;
    // A new RS after RS died: take the table from the dead RS's checkpoint,
    // then reconcile it with the kernel's process table (`tab`, `n` entries):
    // requests and updates in flight are dropped or rolled back, services
    // that died meanwhile are restarted. -EINVAL, nothing changed, for a
    // checkpoint that does not pass load_state's checks.
    int restore(const State& saved, const proc_info* tab, int n);
    // No usable checkpoint: one record per process RS is the signal manager
    // of (label = its name, privileges from system.conf), then reconcile.
    void rebuild(const proc_info* tab, int n);
    // The privileges a new RS gets from its guardian: RS's system.conf
    // entry, as RS's own update gives them (the guard sets the signal
    // manager).
    int rs_privileges(priv_args* out);
    // RS's signal manager when it is the guardian (NONE: RS itself). RS's
    // own update gives the new RS the same one, so that the guardian still
    // watches RS after the swap.
    void set_guardian(endpoint_t ep) { guardian_ = ep; }
    endpoint_t guardian() const { return guardian_; }

    // Introspection (RS_LIST and the tests): RS's own row first, then the
    // table; at most `max` entries (NR_SERVICES + 1 hold everything).
    int list(rs_list_entry* out, int max) const;
    // `service fi rs` was accepted: RS crashes itself once it has answered.
    bool crash_requested() const { return crash_self_; }
    // The policy RS applies when `s` dies (a fixed slot always restarts).
    std::uint32_t policy_of(const Service& s) const;
    const Script* script_for(const char* label) const;
    // Who may ask what: OK, or -EPERM (logged) for a user process that is
    // not the recovery script of the label it names, or a system process
    // without MANAGE_SERVICES asking for anything but a lookup or the list.
    int check_caller(const Request& rq);
    const Service* find_active(const char* label) const;
    const Service* by_endpoint(endpoint_t ep) const;
    const Update& update_state() const { return upd_; }
    const UpdateQueue& update_queue() const { return queue_; }
    bool ds_ready() const { return ds_ready_; }
    int records_in_use() const;
    // How often RS itself was restarted (its guardian counts: RS_INIT).
    void set_self_restarts(int n) { self_restarts_ = n; }

  private:
    // The table and starting instances (table.cc).
    Service* alloc();
    void release(Service& s);
    Service* find_label(const char* label, bool active_only);
    Service* find_ep(endpoint_t ep);
    const conf::ServiceConf* policy_for(const char* label, const char* program) const;
    int granted_conf(const char* label, const char* program, const rs_start& st,
                     conf::ServiceConf* out);

    int start(Service& s, int init_type, endpoint_t old_ep, bool allow_now);
    int build_priv(const Service& s, priv_args* pa);
    void publish(Service& s);
    void unpublish(Service& s);
    void republish_pending();
    void cleanup(Service& s, bool kill_first);
    void late_reply(Service& s, int result);
    void init_ok(Service& s);
    void init_failed(Service& s, int err);
    void send_deferred_inits();

    // Death and recovery (recovery.cc).
    void terminated(Service& s, int sig);
    void restart_now(Service& s);
    void schedule_restart(Service& dead);
    // Policy restart: the replica takes over dead's endpoint / a failed
    // replica gives it back (recovery.cc).
    int take_over_endpoint(Service& replica, Service& dead);
    bool give_back(Service& replica, Service& dead);

    // Recovery scripts (scripts.cc).
    bool run_script(Service& dead);
    void script_tick(clock_t_ now);
    Script* script_of(endpoint_t ep);
    Service* awaiting_script(const char* label);

    // Requests (request.cc).
    int dispatch(const Request& rq, endpoint_t* ep_out);
    int do_up(const Request& rq, bool no_restart);
    int do_down(const Request& rq);
    int do_refresh(const Request& rq);
    int do_restart(const Request& rq);
    int do_shutdown();
    int do_fi(const Request& rq);

    // Live update of other services (update.cc).
    int do_update(const Request& rq);
    int do_sysctl(const Request& rq);
    int update_check(const rs_start& st, Service** old);
    int update_queue(const rs_start& st);
    int update_begin(const rs_start* const* st, int n, endpoint_t requester);
    int update_member(const rs_start& st, UpdateMember* mb);
    void update_prepare(UpdateMember& mb);
    void update_swap();
    int swap_images(const UpdateMember& mb, bool rollback);
    void update_fail(int result, const UpdateMember* culprit, const char* why);
    bool update_rollback(UpdateMember& mb);
    void update_commit();
    // Hooks for the rest of RS: a new version of the batch (not the
    // service yet: lookups skip it); its init answer (true: handled); a
    // death (true: handled, nothing else to do); the timeouts.
    bool update_new_version(const Service& s) const;
    bool update_init_reply(Service& s, int result);
    bool update_terminated(Service& s);
    void update_tick(clock_t_ now);
    void update_shutdown();
    int update_run_with_rs(int rs_index, endpoint_t requester);
    void update_rs_ready();

    // RS's own update (self_update.cc).
    int do_update_self(const Request& rq);
    bool quiet() const;
    void self_init_reply(int result);
    void self_try_swap();
    void self_abort(int result, const char* why);
    void self_tick(clock_t_ now);

    // RS's own recovery (restore.cc).
    void reconcile(const proc_info* tab, int n);
    void reconcile_update(Service& nv);

    void logf(const char* fmt, ...) __attribute__((format(printf, 2, 3)));

    Host* host_ = nullptr;
    const conf::Config* builtin_ = nullptr;
    endpoint_t self_ = 0;
    int self_restarts_ = 0;
    bool ds_ready_ = false;
    bool shutting_down_ = false;
    endpoint_t guardian_ = NONE;  // restore.cc: set_guardian
    bool crash_self_ = false;     // `service fi rs`
    Update upd_{};
    UpdateQueue queue_{};
    UpdateQueue rest_{};  // a batch with RS: the members waiting for the new RS's init
    SelfUpdate sup_{};
    Service table_[NR_SERVICES]{};
    Script scripts_[NR_SCRIPTS]{};
    State
        state_{};  // RS's own update: the block granted to the new instance (or read from the old)
};

}  // namespace umk::rs
