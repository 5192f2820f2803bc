// The umk kernel paths: a umk host booted inside this benchmark process
// (the kernel loop on its own thread, umk_host), two benchmark services
// (umk_bench_ping, umk_bench_pong) as real confined, traced host processes,
// and the benchmark thread attached to a `client` slot.
//
// BM_SendrecKernel: what one service pays for a SENDREC to another. The
//   benchmark thread asks ping for a batch of N round trips (one SENDREC to
//   ping), ping makes N SENDRECs to pong, pong echoes each with SEND, ping
//   replies. Iterations count pong round trips (KeepRunningBatch), so the
//   time per iteration is one service-to-service round trip plus 1/N of
//   the request that started the batch.
// BM_Notify: the same with ping NOTIFYing pong and RECEIVing pong's NOTIFY
//   back: notify -> the receiver wakes -> it answers.
// BM_SendrecKernel64: BM_SendrecKernel with 64 more services booted, each
//   given its privileges at run time (as RS would) and sitting in RECEIVE.
// BM_SendrecClientThread: the benchmark thread itself SENDRECs pong (no
//   ping): a client slot served by a thread of the kernel process. For
//   comparison only; a client thread is neither traced nor confined.
#include <benchmark/benchmark.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/cpu_time.h"
#include "services/bench_proto.h"
#include "umk/com.h"
#include "umk/err.h"
#include "umk/priv_args.h"
#include "umk/priv_flags.h"
#include "umk_linux/host.h"

namespace umk::bench {
namespace {

using linux_host::BootConfig;
using linux_host::BootKind;
using linux_host::Client;
using linux_host::Host;
using linux_host::HostOptions;

constexpr int kClientSlot = 0;
constexpr int kPingSlot = 1;
constexpr int kPongSlot = 2;
constexpr int kFirstIdleSlot = 16;  // past the static privilege ids: privileges come at run time
constexpr int kBatch = 256;         // round trips per request to ping

// The booted host and what the benchmarks need from it. One at a time per
// process (the core's tables are global); a benchmark that wants another
// number of idle services reboots it.
class BenchHost {
  public:
    // The host with `idle` idle services, booting it if needed; nullptr
    // and *error on failure.
    static BenchHost* get(int idle, std::string* error) {
        static std::unique_ptr<BenchHost> current;
        if (current && current->idle_ == idle) return current.get();
        current.reset();  // stops the old host: kills and reaps its processes
        auto h = std::unique_ptr<BenchHost>(new BenchHost(idle));
        if (!h->boot(error)) return nullptr;
        current = std::move(h);
        return current.get();
    }

    Client* client() const { return client_; }
    endpoint_t ping() const { return ping_; }
    endpoint_t pong() const { return pong_; }
    // Host pids of ping and pong (the idle services use no CPU).
    std::vector<pid_t> services() const {
        std::vector<pid_t> out = children_named("umk_bench_ping");
        for (pid_t p : children_named("umk_bench_pong")) out.push_back(p);
        return out;
    }

  private:
    explicit BenchHost(int idle) : idle_(idle) {}

    static BootConfig config(int idle) {
        BootConfig cfg;
        auto& bench = cfg.add(BootKind::CLIENT, kClientSlot, "bench");
        bench.sys = bench.ipc_to_all = bench.all_calls = true;
        for (auto [slot, name] : {std::pair{kPingSlot, "ping"}, std::pair{kPongSlot, "pong"}}) {
            auto& e = cfg.add(BootKind::HOST, slot, name,
                              slot == kPingSlot ? "umk_bench_ping" : "umk_bench_pong");
            e.sys = e.ipc_to_all = true;
        }
        for (int i = 0; i < idle; ++i)
            cfg.add(BootKind::HOST, kFirstIdleSlot + i, "idle" + std::to_string(i),
                    "umk_bench_pong");  // no privileges yet (RTS_NO_PRIV)
        return cfg;
    }

    bool boot(std::string* error) {
        HostOptions opt;
        opt.echo_log = false;
        opt.exit_when_empty = false;
        opt.log_sink = [this](std::string_view line) {
            std::lock_guard<std::mutex> lock(log_mu_);
            log_ += std::string(line) + "\n";
        };
        host_ = std::make_unique<Host>(config(idle_), std::move(opt));
        if (!host_->start()) return fail("the umk host did not boot", error);
        client_ = host_->client("bench");
        ping_ = host_->endpoint_of("ping");
        pong_ = host_->endpoint_of("pong");
        if (client_ == nullptr || ping_ == NONE || pong_ == NONE)
            return fail("the booted host lacks bench/ping/pong", error);
        for (int i = 0; i < idle_; ++i)
            if (!privilege(host_->endpoint_of("idle" + std::to_string(i)), error)) return false;
        // Wait until every service has started and sits in RECEIVE: one echo
        // from each. Otherwise the first measurements after a (re)boot share
        // the CPUs with 64 processes still starting up.
        std::vector<endpoint_t> echoing{pong_};
        for (int i = 0; i < idle_; ++i)
            echoing.push_back(host_->endpoint_of("idle" + std::to_string(i)));
        for (endpoint_t ep : echoing) {
            message m{};
            m.m_type = BENCH_ECHO;
            if (client_->sendrec(ep, &m) != OK || m.m_type != BENCH_ECHO)
                return fail("a benchmark service does not answer", error);
        }
        return true;
    }

    // Give a booted service system privileges and let it run, as RS does
    // with sys_privctl(SET_SYS) and sys_privctl(ALLOW).
    bool privilege(endpoint_t ep, std::string* error) {
        priv_args args{};
        args.flags = SYS_PROC | DYN_PRIV_ID;
        args.trap_mask = ~0u;
        args.sig_mgr = NONE;
        for (auto& word : args.ipc_to) word = ~std::uint64_t{0};
        message m{};
        m.CTL_ENDPT = ep;
        m.CTL_REQUEST = SYS_PRIV_SET_SYS;
        m.CTL_ARG_PTR = vir_addr(&args);
        int r = client_->kernel_call(SYS_PRIVCTL, &m);
        if (r == OK) {
            m = message{};
            m.CTL_ENDPT = ep;
            m.CTL_REQUEST = SYS_PRIV_ALLOW;
            r = client_->kernel_call(SYS_PRIVCTL, &m);
        }
        if (r != OK)
            return fail("sys_privctl for an idle service failed: " + std::to_string(r), error);
        return true;
    }

    bool fail(const std::string& what, std::string* error) {
        std::lock_guard<std::mutex> lock(log_mu_);
        *error = what + "; kernel log:\n" + log_;
        return false;
    }

    int idle_;
    // The kernel thread logs into log_ until host_ is gone: declared first,
    // destroyed last.
    std::mutex log_mu_;
    std::string log_;
    std::unique_ptr<Host> host_;
    Client* client_ = nullptr;
    endpoint_t ping_ = NONE;
    endpoint_t pong_ = NONE;
};

// Runs ping batches of `request` until the benchmark has enough iterations.
void run_ping_batches(benchmark::State& state, int idle, int request) {
    std::string error;
    BenchHost* h = BenchHost::get(idle, &error);
    if (h == nullptr) {
        state.SkipWithError(error.c_str());
        return;
    }
    const auto parties = self_and(h->services());
    const std::uint64_t cpu_before = cpu_ns(parties);
    while (state.KeepRunningBatch(kBatch)) {
        message m{};
        m.m_type = request;
        m.m1_i1 = kBatch;
        m.m1_i2 = h->pong();
        const int r = h->client()->sendrec(h->ping(), &m);
        if (r != OK || m.m_type != OK || m.m1_i1 != kBatch) {
            error = "ping's batch failed: trap " + std::to_string(r) + ", ping " +
                    std::to_string(m.m_type) + ", " + std::to_string(m.m1_i1) + " round trips done";
            state.SkipWithError(error.c_str());
            break;
        }
    }
    report_cpu(state, cpu_ns(parties) - cpu_before);
    state.SetItemsProcessed(state.iterations());
    state.SetLabel("round trips");
}

void BM_SendrecKernel(benchmark::State& state) {
    run_ping_batches(state, 0, BENCH_RUN_SENDREC);
}
BENCHMARK(BM_SendrecKernel)->UseRealTime();

void BM_Notify(benchmark::State& state) {
    run_ping_batches(state, 0, BENCH_RUN_NOTIFY);
}
BENCHMARK(BM_Notify)->UseRealTime();

void BM_SendrecClientThread(benchmark::State& state) {
    std::string error;
    BenchHost* h = BenchHost::get(0, &error);
    if (h == nullptr) {
        state.SkipWithError(error.c_str());
        return;
    }
    int seq = 0;
    const auto parties = self_and(h->services());
    const std::uint64_t cpu_before = cpu_ns(parties);
    for (auto _ : state) {
        message m{};
        m.m_type = BENCH_ECHO;
        m.m1_i1 = ++seq;
        const int r = h->client()->sendrec(h->pong(), &m);
        if (r != OK || m.m_type != BENCH_ECHO || m.m1_i1 != seq) {
            state.SkipWithError("pong's echo failed");
            break;
        }
    }
    report_cpu(state, cpu_ns(parties) - cpu_before);
    state.SetItemsProcessed(state.iterations());
    state.SetLabel("round trips");
}
BENCHMARK(BM_SendrecClientThread)->UseRealTime();

void BM_SendrecKernel64(benchmark::State& state) {
    run_ping_batches(state, 64, BENCH_RUN_SENDREC);
}
BENCHMARK(BM_SendrecKernel64)->UseRealTime();

}  // namespace
}  // namespace umk::bench
