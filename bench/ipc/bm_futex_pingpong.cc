// BM_FutexPingPong: the raw cost the umk trap path is built on. Two
// processes share one MAP_SHARED page; the benchmark thread bumps `ping`
// and futex-wakes the child, the child answers by copying it to `pong` and
// waking back. One iteration = one round trip, both sides sleeping in
// FUTEX_WAIT (no spinning), which is the same primitive a service uses to
// wait for the umk kernel (SlotPage::done_seq) and the kernel to wait for
// its doorbell.
#include <benchmark/benchmark.h>
#include <sys/mman.h>

#include <atomic>
#include <cstdint>

#include "common/child.h"
#include "common/cpu_time.h"
#include "common/futex.h"

namespace umk::bench {
namespace {

struct alignas(64) PingPongPage {
    std::atomic<std::uint32_t> ping;
    std::atomic<std::uint32_t> pong;
    std::atomic<std::uint32_t> stop;
};

constexpr int kPeerTimeoutMs = 2000;  // a peer silent this long is presumed dead

// The child: answer every ping until told to stop.
int answer_pings(PingPongPage* page) {
    std::uint32_t last = 0;
    while (true) {
        const std::uint32_t seen = page->ping.load(std::memory_order_acquire);
        if (page->stop.load(std::memory_order_acquire)) return 0;
        if (seen == last) {
            futex_wait(&page->ping, seen, kPeerTimeoutMs);
            continue;
        }
        last = seen;
        page->pong.store(seen, std::memory_order_release);
        futex_wake(&page->pong);
    }
}

void BM_FutexPingPong(benchmark::State& state) {
    void* mem = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        state.SkipWithError("mmap of the shared page failed");
        return;
    }
    auto* page = new (mem) PingPongPage{};
    {
        ChildProcess child([page] { return answer_pings(page); });
        if (!child.started()) {
            state.SkipWithError(child.error().c_str());
        } else {
            std::uint32_t seq = 0;
            const auto parties = self_and({child.pid()});
            const std::uint64_t cpu_before = cpu_ns(parties);
            for (auto _ : state) {
                page->ping.store(++seq, std::memory_order_release);
                futex_wake(&page->ping);
                if (!futex_wait_for(&page->pong, seq, kPeerTimeoutMs)) {
                    state.SkipWithError("the futex peer stopped answering");
                    break;
                }
            }
            report_cpu(state, cpu_ns(parties) - cpu_before);
            page->stop.store(1, std::memory_order_release);
            page->ping.fetch_add(1, std::memory_order_release);
            futex_wake(&page->ping);
            child.wait_exit(kPeerTimeoutMs);
        }
    }  // the child is reaped here, before its page goes away
    munmap(mem, 4096);
    state.SetItemsProcessed(state.iterations());
    state.SetLabel("round trips");
}
BENCHMARK(BM_FutexPingPong)->UseRealTime();

}  // namespace
}  // namespace umk::bench
