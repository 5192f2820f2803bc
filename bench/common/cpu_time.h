// CPU time used by a set of processes and threads, from
// /proc/<tid>/schedstat (nanoseconds on a CPU, whatever the tick). On a
// machine shared with other work, wall-clock round trips mostly measure
// waiting for a CPU; the CPU time a round trip costs all its parties is the
// steadier number, so the IPC benchmarks report it too (counter cpu_us).
#pragma once

#include <benchmark/benchmark.h>
#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace umk::bench {

// Every thread of this process plus the given processes (all their threads).
std::vector<pid_t> self_and(const std::vector<pid_t>& processes);

// Total on-CPU nanoseconds of the given threads/processes (each process's
// threads are summed). Tasks that are gone count as 0.
std::uint64_t cpu_ns(const std::vector<pid_t>& tasks);

// Host pids of this process's children whose command name is `comm`.
std::vector<pid_t> children_named(const char* comm);

// Sets the counter cpu_us: CPU microseconds per iteration, given the CPU
// nanoseconds the parties used during the timed loop.
inline void report_cpu(benchmark::State& state, std::uint64_t ns) {
    state.counters["cpu_us"] =
        benchmark::Counter(static_cast<double>(ns) / 1e3, benchmark::Counter::kAvgIterations);
}

}  // namespace umk::bench
