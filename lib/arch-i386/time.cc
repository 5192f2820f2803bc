// clock_gettime for i386 services (no libc, no system calls): the CPU's
// time-stamp counter, scaled by the rate the kernel calibrated against its
// clock and keeps current in the info page. Every clock id reads the same
// monotonic time since the machine started.
#include <time.h>

#include <cstdint>

#include "umk/arch/i386.h"
#include "umk/err.h"

extern "C" int clock_gettime(clockid_t, struct timespec* ts) {
    const auto& info = *reinterpret_cast<const volatile umk::i386::InfoPage*>(umk::i386::INFO_PAGE);
    const std::uint64_t per_ms = info.tsc_per_ms;
    if (info.magic != umk::i386::INFO_MAGIC || per_ms == 0) return -1;
    std::uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    const std::uint64_t tsc = (std::uint64_t{hi} << 32) | lo;
    const std::uint64_t per_s = per_ms * 1000;
    // Split first: tsc * 1e9 would overflow after a few seconds of uptime.
    ts->tv_sec = static_cast<time_t>(tsc / per_s);
    ts->tv_nsec = static_cast<long>((tsc % per_s) * 1000000 / per_ms);
    return 0;
}
