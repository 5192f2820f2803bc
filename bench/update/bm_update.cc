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
#include <benchmark/benchmark.h>
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "umk/com.h"
#include "umk/err.h"
#include "umk_linux/host.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"

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

const char* const kSystem = R"(
proc   0  pm      program=pm
proc   1  devman  program=devman
proc   2  rs      program=rs sys ipc=all calls=all sigmgr=SELF
proc   6  ds      program=ds
proc   8  vm      program=vm
client 9  bench   sys ipc=all calls=all
proc   10 hello   program=hello
client 11 hammer  sys ipc=all calls=all
)";

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
        static std::unique_ptr<UpdateHost> current;
        if (current) return current.get();
        auto h = std::unique_ptr<UpdateHost>(new UpdateHost());
        if (!h->boot(error)) return nullptr;
        current = std::move(h);
        return current.get();
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
        } else {
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
        if (!linux_host::parse_boot_config(kSystem, "bench-update.conf", &cfg, &why)) {
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

}  // namespace
}  // namespace umk::bench
