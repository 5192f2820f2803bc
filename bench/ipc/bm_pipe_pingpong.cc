// BM_PipePingPong: the classic two-process baseline. One byte goes to the
// child over one pipe and comes back over another; one iteration = one
// round trip (two write+read pairs, both sides blocking in read).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "common/child.h"
#include "common/cpu_time.h"

namespace umk::bench {
namespace {

constexpr int kPeerTimeoutMs = 2000;  // for the child to exit at the end

// The child: echo bytes until the parent closes its end.
int echo_bytes(int in, int out) {
    char byte = 0;
    while (true) {
        const ssize_t n = read(in, &byte, 1);
        if (n == 0) return 0;  // EOF: the parent is done
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 || write(out, &byte, 1) != 1) return 1;
    }
}

// Blocking read: if the child dies, its end of the pipe closes and the
// read returns EOF instead of hanging.
bool read_reply(int fd) {
    char byte = 0;
    while (true) {
        const ssize_t n = read(fd, &byte, 1);
        if (n == 1) return true;
        if (n < 0 && errno == EINTR) continue;
        return false;
    }
}

void BM_PipePingPong(benchmark::State& state) {
    int to_child[2];
    int to_parent[2];
    if (pipe2(to_child, O_CLOEXEC) != 0) {
        state.SkipWithError("pipe2 failed");
        return;
    }
    if (pipe2(to_parent, O_CLOEXEC) != 0) {
        close(to_child[0]);
        close(to_child[1]);
        state.SkipWithError("pipe2 failed");
        return;
    }
    {
        ChildProcess child([&] {
            close(to_child[1]);
            close(to_parent[0]);
            return echo_bytes(to_child[0], to_parent[1]);
        });
        close(to_child[0]);
        close(to_parent[1]);
        if (!child.started()) {
            state.SkipWithError(child.error().c_str());
        } else {
            const char byte = 'x';
            const auto parties = self_and({child.pid()});
            const std::uint64_t cpu_before = cpu_ns(parties);
            for (auto _ : state) {
                if (write(to_child[1], &byte, 1) != 1 || !read_reply(to_parent[0])) {
                    state.SkipWithError("the pipe peer stopped answering");
                    break;
                }
            }
            report_cpu(state, cpu_ns(parties) - cpu_before);
            close(to_child[1]);  // EOF tells the child to exit
            to_child[1] = -1;
            child.wait_exit(kPeerTimeoutMs);
        }
    }
    if (to_child[1] >= 0) close(to_child[1]);
    close(to_parent[0]);
    state.SetItemsProcessed(state.iterations());
    state.SetLabel("round trips");
}
BENCHMARK(BM_PipePingPong)->UseRealTime();

}  // namespace
}  // namespace umk::bench
