// What reliability costs: live update, crash recovery and a fresh start of
// the hello driver, in a umk system booted inside this benchmark process
// (pm, devman, rs, ds, vm, hello as real host processes; the benchmark
// thread and a "hammer" thread attached to two client slots).
//
// BM_SpawnBaseline: RS_UP of hello (RS spawns the binary — the kernel's
//   fork+exec, SYS_SPAWN —, gives it its privileges, runs its SEF init)
//   until hello answers its first request. Taking hello down before each
//   iteration is not timed. This is the cost a replacement inevitably pays,
//   so the update and restart ratios show what they add to it.
// BM_LiveUpdateHello: RS_UPDATE of hello (alternately to hello_v2 and back
//   to hello) until RS reports success and the new version has answered a
//   request at the same endpoint.
// BM_RestartHello: SIGKILL of hello's host process (a crash) until the
//   replacement RS starts answers a request. RS backs off on repeated
//   crashes of one service (MINIX policy), so each iteration first gives
//   hello a fresh record (down + up, not timed): the first crash restarts
//   at once, as a lone crash in a running system does.
// BM_UpdateBlockedTime: during each live update, a second thread sends
//   hello requests back to back; the longest gap between two of its
//   replies is the time hello did not serve (counter blocked_ms).
// BM_Update_<server> (pm, vm, ds, devman, tty, hello, rs): `service update
//   self` of that server (RS_UPDATE, RSS_SELF) until RS reports success and
//   the server answers a request at its endpoint.
// BM_Crash_<server>: a host SIGSEGV of the server's process until the
//   service answers a request again (the same endpoint for the restart
//   policy, a new one for hello). Each iteration runs in a child process
//   of this program that boots a fresh system (a crashed service has a
//   restart count, and RS backs off on the next crash; a system a failed
//   recovery left broken must not spoil the other benchmarks), times one
//   crash and reports the time (manual time) to this process.
// The per-server benchmarks call through a worker thread with a deadline
// (a service that never answers fails the benchmark, it does not hang it)
// and report cpu_us: the CPU time of this process and its children (the
// services) per iteration, of the tasks alive at the end of it.
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <condition_variable>
#include <cstdio>
#include <functional>
#include <map>
#include <vector>

#include "common/cpu_time.h"
#include "umk/com.h"
#include "umk/err.h"
#include "umk/slots.h"
#include "umk_linux/host.h"
#include "umklib/dev_proto.h"
#include "umklib/ds.h"
#include "umklib/pm_proto.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"
#include "umklib/vm_proto.h"

namespace umk::bench {
namespace {

using linux_host::BootConfig;
using linux_host::Client;
using linux_host::Host;
using linux_host::HostOptions;
using Clock = std::chrono::steady_clock;

// hello answers a request type it does not know with DEV_REPLY/-EINVAL, and
// without logging: the cheapest "are you serving?" there is.
constexpr int kHelloProbe = 0x7b20;
constexpr int kDevReply = 0x500;  // DEV_REPLY (umklib/dev_proto.h)

// The system of etc/boot.conf (its `proc` lines: every service the real
// system boots, so a new one such as RS's guardian is measured with the
// rest) plus the two client slots, at the first free slots from 9 on;
// without the file, the same services as etc/boot.conf had when this was
// written.
std::string system_config() {
    std::string procs;
    std::ifstream f(UMK_BOOT_CONF);
    std::vector<int> used;
    for (std::string line; std::getline(f, line);) {
        std::istringstream w(line);
        std::string kind;
        int slot = -1;
        if (!(w >> kind >> slot) || kind != "proc") continue;
        procs += line + "\n";
        used.push_back(slot);
    }
    if (procs.empty()) {
        procs =
            "proc 0 pm program=pm\nproc 1 devman program=devman\n"
            "proc 2 rs program=rs sys ipc=all calls=all sigmgr=SELF\nproc 5 tty program=tty\n"
            "proc 6 ds program=ds\nproc 8 vm program=vm\nproc 10 hello program=hello\n";
        used = {0, 1, 2, 5, 6, 8, 10};
    }
    int slot = 9;
    for (const char* client : {"bench", "hammer"}) {
        while (std::find(used.begin(), used.end(), slot) != used.end()) ++slot;
        procs += "client " + std::to_string(slot) + " " + client + " sys ipc=all calls=all\n";
        used.push_back(slot);
    }
    return procs;
}

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

// True if `ep` answered a probe (through `c`).
bool hello_serves(Client* c, endpoint_t ep) {
    message m{};
    m.m_type = kHelloProbe;
    return c->sendrec(ep, &m) == OK && m.m_type == kDevReply;
}

class UpdateHost {
  public:
    static UpdateHost* get(std::string* error) {
        if (wedged_) {
            *error = "an earlier benchmark left a request in the system unanswered";
            return nullptr;
        }
        std::unique_ptr<UpdateHost>& current = current_host();
        if (current) return current.get();
        auto h = std::unique_ptr<UpdateHost>(new UpdateHost());
        if (!h->boot(error)) return nullptr;
        current = std::move(h);
        return current.get();
    }
    // After a failure that may have left the system broken: the next get()
    // boots a fresh one. A client stuck in a trap (`stuck`) cannot be
    // pulled out: that system stays (and nothing boots after it).
    static void drop(bool stuck) {
        if (stuck) {
            wedged_ = true;
            (void)current_host().release();
            return;
        }
        current_host().reset();
    }

    Client* bench() const { return bench_; }
    Client* hammer() const { return hammer_; }

    // An RS request from the bench client; `st` goes by grant. Returns the
    // trap error or RS's answer; *ep gets RS_ENDPOINT.
    int rs_request(int type, const rs::rs_start* st, const char* label, endpoint_t* ep = nullptr) {
        message m{};
        m.m_type = type;
        if (st != nullptr) {
            start_ = *st;
            grants_[0] = cp_grant_t{};
            grants_[0].cp_flags = CPF_USED | CPF_VALID | CPF_DIRECT | CPF_READ;
            grants_[0].cp_to = rs_;
            grants_[0].cp_start = vir_addr(&start_);
            grants_[0].cp_len = sizeof start_;
            m.RS_CMD_GRANT = 0;
            m.RS_CMD_LEN = sizeof start_;
        } else if (label != nullptr) {
            std::strncpy(m.RS_NAME, label, PROC_NAME_LEN - 1);
        }
        int r = bench_->sendrec(rs_, &m);
        grants_[0] = cp_grant_t{};
        if (r != OK) return r;
        if (ep != nullptr) *ep = m.RS_ENDPOINT;
        return m.m_type;
    }

    endpoint_t lookup(const char* label) {
        endpoint_t ep = NONE;
        return rs_request(RS_LOOKUP, nullptr, label, &ep) == OK ? ep : NONE;
    }

    // Waits until hello (under its label) answers; its endpoint, or NONE
    // after `timeout`.
    endpoint_t wait_hello_serving(std::chrono::milliseconds timeout) {
        const auto until = Clock::now() + timeout;
        while (Clock::now() < until) {
            endpoint_t ep = lookup("hello");
            if (ep != NONE && hello_serves(bench_, ep)) return ep;
            std::this_thread::sleep_for(std::chrono::microseconds(50));
        }
        return NONE;
    }

    // RS_DOWN hello and wait until RS has forgotten it.
    bool take_hello_down() {
        int r = rs_request(RS_DOWN, nullptr, "hello");
        if (r != OK && r != -ESRCH) return false;
        for (int i = 0; i < 20000; ++i) {  // up to ~2 s (RS_DOWN_T, then SIGKILL)
            if (lookup("hello") == NONE) return true;
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
        return false;
    }

    // RS_UP hello; OK once RS reports its init done.
    int bring_hello_up() {
        rs::rs_start st{};
        std::strncpy(st.label, "hello", sizeof st.label - 1);
        std::strncpy(st.program, "hello", sizeof st.program - 1);
        st.period = -1;
        int r;
        // A record that is still being torn down answers EBUSY for a moment.
        for (int i = 0; i < 1000 && (r = rs_request(RS_UP, &st, nullptr)) == -EBUSY; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return r;
    }

    // The host pid of the running hello (a child of this process).
    pid_t hello_pid() const {
        const pid_t self = getpid();
        pid_t found = -1;
        DIR* d = opendir("/proc");
        if (d == nullptr) return -1;
        while (dirent* e = readdir(d)) {
            const pid_t pid = std::atoi(e->d_name);
            if (pid <= 0) continue;
            std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
            std::string line;
            if (!std::getline(f, line)) continue;
            const auto open = line.find('('), close = line.rfind(')');
            if (open == std::string::npos || close == std::string::npos) continue;
            const std::string comm = line.substr(open + 1, close - open - 1);
            std::istringstream rest(line.substr(close + 2));
            char st = 0;
            pid_t ppid = 0;
            rest >> st >> ppid;
            if (ppid == self && st != 'Z' && (comm == "hello" || comm == "hello_v2")) found = pid;
        }
        closedir(d);
        return found;
    }

    const std::string& log() {
        std::lock_guard<std::mutex> lock(log_mu_);
        log_copy_ = log_;
        return log_copy_;
    }

  private:
    UpdateHost() = default;

    bool boot(std::string* error) {
        BootConfig cfg;
        std::string why;
        if (!linux_host::parse_boot_config(system_config(), "bench-update.conf", &cfg, &why)) {
            *error = why;
            return false;
        }
        HostOptions opt;
        opt.echo_log = false;
        opt.exit_when_empty = false;
        opt.log_sink = [this](std::string_view line) {
            std::lock_guard<std::mutex> lock(log_mu_);
            log_ += std::string(line) + "\n";
            if (log_.size() > 64 * 1024) log_.erase(0, log_.size() - 32 * 1024);  // keep the tail
        };
        host_ = std::make_unique<Host>(std::move(cfg), std::move(opt));
        if (!host_->start()) return fail("the umk system did not boot", error);
        bench_ = host_->client("bench");
        hammer_ = host_->client("hammer");
        rs_ = host_->endpoint_of("rs");
        if (bench_ == nullptr || hammer_ == nullptr || rs_ == NONE)
            return fail("the booted system lacks bench/hammer/rs", error);
        message m{};
        m.SG_ADDR = vir_addr(grants_.data());
        m.SG_SIZE = static_cast<std::int32_t>(grants_.size());
        if (bench_->kernel_call(SYS_SETGRANT, &m) != OK)
            return fail("cannot register the bench client's grant table", error);
        if (wait_hello_serving(std::chrono::seconds(20)) == NONE)
            return fail("hello did not come up", error);
        return true;
    }

    bool fail(const std::string& what, std::string* error) {
        *error = what + "; kernel log:\n" + log();
        return false;
    }

    // Function-local: created on the first boot, after the host's own
    // statics, so destroyed at exit before them.
    static std::unique_ptr<UpdateHost>& current_host() {
        static std::unique_ptr<UpdateHost> current;
        return current;
    }
    static inline bool wedged_ = false;

    // The kernel thread logs into log_ until host_ is gone: declared first.
    std::mutex log_mu_;
    std::string log_;
    std::string log_copy_;
    std::array<cp_grant_t, 4> grants_{};
    rs::rs_start start_{};
    std::unique_ptr<Host> host_;
    Client* bench_ = nullptr;
    Client* hammer_ = nullptr;
    endpoint_t rs_ = NONE;
};

UpdateHost* host_or_skip(benchmark::State& state) {
    std::string error;
    UpdateHost* h = UpdateHost::get(&error);
    if (h == nullptr) state.SkipWithError(error.c_str());
    return h;
}

void skip(benchmark::State& state, UpdateHost* h, const std::string& what) {
    std::string msg = what + "; kernel log (end):\n";
    const std::string& log = h->log();
    msg += log.size() > 2000 ? log.substr(log.size() - 2000) : log;
    state.SkipWithError(msg.c_str());
}

// One live update of hello, alternating the version; OK or an error.
int live_update(UpdateHost* h, int iteration) {
    rs::rs_start st{};
    std::strncpy(st.label, "hello", sizeof st.label - 1);
    std::strncpy(st.program, iteration % 2 == 0 ? "hello_v2" : "hello", sizeof st.program - 1);
    st.period = -1;
    st.state = SEF_LU_STATE_WORK_FREE;
    return h->rs_request(RS_UPDATE, &st, nullptr);
}

void BM_SpawnBaseline(benchmark::State& state) {
    UpdateHost* h = host_or_skip(state);
    if (h == nullptr) return;
    for (auto _ : state) {
        state.PauseTiming();
        const bool down = h->take_hello_down();
        state.ResumeTiming();
        if (!down) return skip(state, h, "RS did not take hello down");
        int r = h->bring_hello_up();
        if (r != OK) return skip(state, h, "RS_UP hello failed: " + std::to_string(r));
        if (h->wait_hello_serving(std::chrono::seconds(10)) == NONE)
            return skip(state, h, "the new hello never answered");
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SpawnBaseline)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_LiveUpdateHello(benchmark::State& state) {
    UpdateHost* h = host_or_skip(state);
    if (h == nullptr) return;
    int i = 0;
    for (auto _ : state) {
        int r = live_update(h, i++);
        if (r != OK) return skip(state, h, "RS_UPDATE hello failed: " + std::to_string(r));
        if (h->wait_hello_serving(std::chrono::seconds(10)) == NONE)
            return skip(state, h, "the updated hello never answered");
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LiveUpdateHello)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_RestartHello(benchmark::State& state) {
    UpdateHost* h = host_or_skip(state);
    if (h == nullptr) return;
    for (auto _ : state) {
        state.PauseTiming();  // a fresh record: RS restarts a first crash at once
        const bool fresh = h->take_hello_down() && h->bring_hello_up() == OK &&
                           h->wait_hello_serving(std::chrono::seconds(10)) != NONE;
        const pid_t pid = h->hello_pid();
        state.ResumeTiming();
        if (!fresh || pid <= 0) return skip(state, h, "could not prepare a fresh hello");
        kill(pid, SIGKILL);
        if (h->wait_hello_serving(std::chrono::seconds(10)) == NONE)
            return skip(state, h, "no replacement hello answered");
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RestartHello)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_UpdateBlockedTime(benchmark::State& state) {
    // A hammer request that was never answered leaves the hammer's client
    // slot inside its trap for good: later runs cannot use it.
    static bool hammer_lost = false;
    if (hammer_lost) return state.SkipWithError("a hammer request to hello was lost earlier");
    UpdateHost* h = host_or_skip(state);
    if (h == nullptr) return;
    const endpoint_t hello = h->wait_hello_serving(std::chrono::seconds(10));
    if (hello == NONE) return skip(state, h, "hello is not serving");
    // Shared with the hammer thread, which may outlive this call (detached).
    struct Shared {
        std::atomic<bool> run{true};
        std::atomic<bool> done{false};
        std::atomic<bool> failed{false};
        std::atomic<std::int64_t> max_gap{0};
        // Gaps are counted from here on: a gap that began before the update
        // (the hammer waiting for a CPU during the pause) counts only from
        // the moment the update was asked for.
        std::atomic<std::int64_t> window_start{0};
    };
    auto shared = std::make_shared<Shared>();
    std::thread hammer([shared, h, hello] {
        std::int64_t last = now_ns();
        while (shared->run.load(std::memory_order_relaxed)) {
            if (!hello_serves(h->hammer(), hello)) {
                shared->failed.store(true);
                break;
            }
            const std::int64_t t = now_ns();
            const std::int64_t from = std::max(last, shared->window_start.load());
            std::int64_t seen = shared->max_gap.load(std::memory_order_relaxed);
            while (t - from > seen && !shared->max_gap.compare_exchange_weak(seen, t - from)) {
            }
            last = t;
        }
        shared->done.store(true);
    });
    double blocked_ms = 0;
    int i = 0;
    std::string error;
    for (auto _ : state) {
        state.PauseTiming();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // hammer at full speed
        shared->window_start.store(now_ns());
        shared->max_gap.store(0);
        state.ResumeTiming();
        int r = live_update(h, i++);
        if (r != OK || h->wait_hello_serving(std::chrono::seconds(10)) == NONE) {
            error = "live update under load failed: " + std::to_string(r);
            break;
        }
        state.PauseTiming();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // the gap may end late
        blocked_ms += static_cast<double>(shared->max_gap.load()) / 1e6;
        state.ResumeTiming();
    }
    shared->run.store(false);
    const auto until = Clock::now() + std::chrono::seconds(3);
    while (!shared->done.load() && Clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (shared->done.load()) {
        hammer.join();
    } else {
        // hello took the hammer's request and never answered it: the request
        // was lost in the update. Nothing can pull the thread out of its trap.
        hammer.detach();
        hammer_lost = true;
        if (error.empty())
            error = "a request to hello sent during the live update was never answered (lost)";
    }
    if (error.empty() && shared->failed.load()) error = "the hammer's request to hello failed";
    if (!error.empty()) return skip(state, h, error);
    state.counters["blocked_ms"] =
        benchmark::Counter(blocked_ms, benchmark::Counter::kAvgIterations);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UpdateBlockedTime)->UseRealTime()->Unit(benchmark::kMillisecond);

// ---- every server: live update and crash-to-serving ----

// The endpoint of each is RS's answer to RS_LOOKUP (the same one for the
// restart policy, a new one for reset, whatever policy a server has), RS's
// own its fixed slot.
struct Server {
    const char* label;
};
constexpr Server kServers[] = {{"pm"}, {"vm"}, {"ds"}, {"devman"}, {"tty"}, {"hello"}, {"rs"}};

// A request each server answers at once, without logging and without
// changing anything: "are you serving?".
message probe_message(const std::string& label) {
    message m{};
    if (label == "pm") {
        m.m_type = PM_GETPID;  // not a user process: ESRCH
    } else if (label == "vm") {
        m.m_type = VM_PROC_INFO;  // no VM record of a client slot: ESRCH
        m.VM_INFO_ENDPT = SELF;
    } else if (label == "ds") {
        m.m_type = DS_CHECK;  // no subscription: ESRCH
    } else if (label == "devman") {
        m.m_type = DEVMAN_CLOSE;  // no such descriptor: EBADF
        m.DEVMAN_FD = -1;
    } else if (label == "rs") {
        m.m_type = RS_LOOKUP;
        std::strncpy(m.RS_NAME, "rs", PROC_NAME_LEN - 1);
    } else {
        m.m_type = kHelloProbe;  // hello, tty (driver_task): DEV_REPLY/EINVAL
    }
    return m;
}

// Runs calls into the system on a thread of its own, so that a call nobody
// answers fails its benchmark at a deadline instead of hanging the program.
// Once one call is stuck the worker is too (a trap cannot be cancelled).
class Worker {
  public:
    static constexpr int kStuck = -100000;

    Worker() : thread_([this] { loop(); }) {}
    ~Worker() {
        {
            std::lock_guard lock(mu_);
            quit_ = true;
        }
        cv_.notify_all();
        if (stuck_)
            thread_.detach();
        else
            thread_.join();
    }
    bool stuck() const { return stuck_; }

    // fn() on the worker; its result, or kStuck if it did not return in time.
    int call(std::function<int()> fn, std::chrono::milliseconds limit) {
        if (stuck_) return kStuck;
        std::unique_lock lock(mu_);
        job_ = std::move(fn);
        done_ = false;
        cv_.notify_all();
        if (!cv_.wait_for(lock, limit, [&] { return done_; })) {
            stuck_ = true;
            return kStuck;
        }
        return result_;
    }

  private:
    void loop() {
        std::unique_lock lock(mu_);
        for (;;) {
            cv_.wait(lock, [&] { return quit_ || job_; });
            if (quit_ && !job_) return;
            auto fn = std::move(job_);
            job_ = nullptr;
            lock.unlock();
            const int r = fn();
            lock.lock();
            result_ = r;
            done_ = true;
            cv_.notify_all();
        }
    }

    std::mutex mu_;
    std::condition_variable cv_;
    std::function<int()> job_;
    int result_ = 0;
    bool done_ = false, quit_ = false;
    std::atomic<bool> stuck_{false};
    std::thread thread_;
};

// CPU time of this process and its children (the services) per task, to
// count what one iteration cost all parties: tasks gone by the end (a
// replaced or crashed instance) are not counted.
std::map<pid_t, std::uint64_t> cpu_snapshot() {
    std::map<pid_t, std::uint64_t> out;
    out[getpid()] = cpu_ns({getpid()});
    DIR* d = opendir("/proc");
    if (d == nullptr) return out;
    const pid_t self = getpid();
    while (dirent* e = readdir(d)) {
        const pid_t pid = std::atoi(e->d_name);
        if (pid <= 0) continue;
        std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
        std::string line;
        if (!std::getline(f, line)) continue;
        const auto close = line.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(line.substr(close + 2));
        char st = 0;
        pid_t ppid = 0;
        rest >> st >> ppid;
        if (ppid == self) out[pid] = cpu_ns({pid});
    }
    closedir(d);
    return out;
}
std::uint64_t cpu_since(const std::map<pid_t, std::uint64_t>& before) {
    std::uint64_t total = 0;
    for (const auto& [pid, ns] : cpu_snapshot()) {
        auto it = before.find(pid);
        const std::uint64_t was = it == before.end() ? 0 : it->second;
        if (ns > was) total += ns - was;
    }
    return total;
}

// The system's side of the per-server benchmarks: calls with deadlines.
class Prober {
  public:
    explicit Prober(UpdateHost* h) : h_(h) {}
    bool stuck() const { return worker_.stuck(); }

    // The endpoint of `label` now (RS's answer), NONE if it has none or RS
    // did not answer in time.
    endpoint_t endpoint(const Server& s, std::chrono::milliseconds limit) {
        if (std::strcmp(s.label, "rs") == 0) return RS_PROC_NR;
        endpoint_t ep = NONE;
        const int r =
            worker_.call([&] { return h_->rs_request(RS_LOOKUP, nullptr, s.label, &ep); }, limit);
        return r == OK ? ep : NONE;
    }
    // One probe of the server; true if it answered within `limit`.
    bool answers(const Server& s, endpoint_t ep, std::chrono::milliseconds limit) {
        message m = probe_message(s.label);
        const int r = worker_.call([&] { return h_->bench()->sendrec(ep, &m); }, limit);
        return r == OK;
    }
    // Probes until the server answers (ERESTART, a dead endpoint: again);
    // false after `limit` or if a call got stuck.
    bool wait_serving(const Server& s, std::chrono::milliseconds limit) {
        const auto until = Clock::now() + limit;
        while (Clock::now() < until && !stuck()) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
            const endpoint_t ep = endpoint(s, left);
            if (ep != NONE && answers(s, ep, left)) return true;
            std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
        return false;
    }
    // `service update self -label L`: RS's answer, or Worker::kStuck.
    int update_self(const Server& s, std::chrono::milliseconds limit) {
        rs::rs_start st{};
        st.flags = rs::RSS_SELF;
        std::strncpy(st.label, s.label, sizeof st.label - 1);
        std::strncpy(st.program, s.label, sizeof st.program - 1);
        st.period = -1;
        st.state = SEF_LU_STATE_WORK_FREE;
        return worker_.call([&] { return h_->rs_request(RS_UPDATE, &st, nullptr); }, limit);
    }

  private:
    UpdateHost* h_;
    Worker worker_;
};

void BM_UpdateServer(benchmark::State& state, const Server s) {
    UpdateHost* h = host_or_skip(state);
    if (h == nullptr) return;
    std::string error;
    {
        Prober p(h);
        if (!p.wait_serving(s, std::chrono::seconds(10))) {
            error = std::string(s.label) + " is not serving before the update";
        }
        std::uint64_t cpu = 0;
        for (auto _ : state) {
            if (!error.empty()) break;
            const auto before = cpu_snapshot();
            const int r = p.update_self(s, std::chrono::seconds(20));
            if (r != OK) {
                error = "RS_UPDATE self of " + std::string(s.label) + " failed: " +
                        (r == Worker::kStuck ? std::string("no answer from RS within 20 s")
                                             : std::to_string(r));
                break;
            }
            if (!p.wait_serving(s, std::chrono::seconds(10))) {
                error = "the updated " + std::string(s.label) + " did not answer within 10 s";
                break;
            }
            state.PauseTiming();
            cpu += cpu_since(before);
            state.ResumeTiming();
        }
        if (error.empty()) {
            report_cpu(state, cpu);
            state.SetItemsProcessed(state.iterations());
            return;
        }
        std::string msg = error + "; kernel log (end):\n";
        const std::string& log = h->log();
        msg += log.size() > 2000 ? log.substr(log.size() - 2000) : log;
        state.SkipWithError(msg.c_str());
        if (p.stuck()) {
            UpdateHost::drop(true);
            return;
        }
    }
    UpdateHost::drop(false);  // a failed update may have left it broken: boot afresh
}

// ---- crash-to-serving, one fresh system per crash (child process) ----

// The host pid of the process serving `label` (named after its program),
// other than `not`; -1 if none.
pid_t pid_of(const char* label, pid_t not_this = -1) {
    for (pid_t p : children_named(label))
        if (p != not_this) return p;
    return -1;
}

// In the child: boot, crash `label`, time until it serves again. Prints
// "crash_ns=N cpu_ns=M" and exits 0, or prints the reason and exits 1.
int crash_child(const std::string& label) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    const Server* s = nullptr;
    for (const Server& x : kServers)
        if (label == x.label) s = &x;
    if (s == nullptr) {
        std::printf("error=no server '%s'\n", label.c_str());
        return 1;
    }
    std::string error;
    UpdateHost* h = UpdateHost::get(&error);
    if (h == nullptr) {
        std::printf("error=%s\n", error.c_str());
        return 1;
    }
    Prober p(h);
    auto fail = [&](const std::string& why) {
        const std::string& log = h->log();
        std::printf("error=%s; kernel log (end):\n%s\n", why.c_str(),
                    (log.size() > 2000 ? log.substr(log.size() - 2000) : log).c_str());
        std::fflush(stdout);
        _exit(1);  // a stuck worker cannot be joined: leave at once
    };
    for (const Server& x : kServers)
        if (!p.wait_serving(x, std::chrono::seconds(10)))
            fail(std::string(x.label) + " is not serving after the boot");
    const pid_t victim = pid_of(s->label);
    if (victim <= 0) fail(std::string("no host process of ") + s->label);
    const auto before = cpu_snapshot();
    const auto t0 = Clock::now();
    kill(victim, SIGSEGV);
    if (!p.wait_serving(*s, std::chrono::seconds(5)))
        fail(std::string(s->label) + " did not serve again within 5 s of its SIGSEGV");
    const auto t1 = Clock::now();
    const std::uint64_t cpu = cpu_since(before);
    // The answer came from a new instance, not from the dying one.
    bool replaced = false;
    for (int i = 0; i < 200 && !replaced; ++i) {
        replaced = pid_of(s->label, victim) > 0;
        if (!replaced) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!replaced) fail(std::string("no new host process of ") + s->label + " after its crash");
    std::printf("crash_ns=%lld cpu_ns=%llu\n",
                static_cast<long long>(
                    std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()),
                static_cast<unsigned long long>(cpu));
    std::fflush(stdout);
    _exit(0);
}

// In this process: run one crash_child; its output and exit status.
int run_crash_child(const std::string& label, std::string* out) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        const std::string arg = "--umk-crash-child=" + label;
        execl("/proc/self/exe", "umk_bench_update", arg.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return -1;
    }
    const auto until = Clock::now() + std::chrono::seconds(60);
    char buf[4096];
    bool timed_out = false;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        pollfd pfd{fds[0], POLLIN, 0};
        const int n = poll(&pfd, 1, static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            timed_out = n == 0;
            break;
        }
        const ssize_t got = read(fds[0], buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        out->append(buf, static_cast<std::size_t>(got));
    }
    close(fds[0]);
    if (timed_out) {
        kill(pid, SIGKILL);
        *out += "\n(the child did not finish within 60 s: killed)";
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(st) && !timed_out ? WEXITSTATUS(st) : -1;
}

void BM_CrashServer(benchmark::State& state, const Server s) {
    std::uint64_t cpu = 0;
    for (auto _ : state) {
        std::string out;
        const int rc = run_crash_child(s.label, &out);
        long long ns = -1;
        unsigned long long cpu_ns_child = 0;
        const auto at = out.find("crash_ns=");
        if (rc == 0 && at != std::string::npos)
            std::sscanf(out.c_str() + at, "crash_ns=%lld cpu_ns=%llu", &ns, &cpu_ns_child);
        if (ns < 0) {
            const std::string msg = "crash of " + std::string(s.label) +
                                    " (fresh system in a child process, status " +
                                    std::to_string(rc) + "): " + out;
            return state.SkipWithError(msg.c_str());
        }
        state.SetIterationTime(static_cast<double>(ns) / 1e9);
        cpu += cpu_ns_child;
    }
    report_cpu(state, cpu);
    state.SetItemsProcessed(state.iterations());
}

double min_of(const std::vector<double>& v) {
    return v.empty() ? 0 : *std::min_element(v.begin(), v.end());
}
double max_of(const std::vector<double>& v) {
    return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
}

// Registered by name (BM_Update_pm ...), each server a benchmark of its own,
// with min and max over the repetitions besides mean/median/stddev.
void register_servers() {
    for (const Server& s : kServers) {
        benchmark::RegisterBenchmark(("BM_Update_" + std::string(s.label)).c_str(), BM_UpdateServer,
                                     s)
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond)
            ->ComputeStatistics("min", min_of)
            ->ComputeStatistics("max", max_of);
        // One crash per fresh system: a fixed, small number per repetition.
        benchmark::RegisterBenchmark(("BM_Crash_" + std::string(s.label)).c_str(), BM_CrashServer,
                                     s)
            ->UseManualTime()
            ->Iterations(1)
            ->Unit(benchmark::kMillisecond)
            ->ComputeStatistics("min", min_of)
            ->ComputeStatistics("max", max_of);
    }
}

}  // namespace
}  // namespace umk::bench

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a.rfind("--umk-crash-child=", 0) == 0)
            return umk::bench::crash_child(a.substr(sizeof "--umk-crash-child=" - 1));
    }
    umk::bench::register_servers();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
