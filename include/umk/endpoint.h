// Endpoints: a slot number plus a generation, so that a message addressed to
// a process that died and whose slot was reused fails (EDEADSRCDST) instead of
// reaching the newcomer. Encoding as in MINIX include/minix/endpoint.h.
#pragma once

#include <cstdint>

#include "umk/config.h"
#include "umk/types.h"

namespace umk {

// Magic endpoints, as in MINIX.
inline constexpr endpoint_t ANY = 0x7ace;
inline constexpr endpoint_t NONE = 0x6ace;
inline constexpr endpoint_t SELF = 0x8ace;

// Kernel tasks (negative slots).
inline constexpr endpoint_t IDLE = -4;
inline constexpr endpoint_t CLOCK = -3;
inline constexpr endpoint_t SYSTEM = -2;
inline constexpr endpoint_t KERNEL = -1;
inline constexpr endpoint_t HARDWARE = KERNEL;

inline constexpr int MAX_NR_TASKS = 1023;
inline constexpr int ENDPOINT_GENERATION_SIZE = MAX_NR_TASKS + SELF + 1;  // 36558
inline constexpr int ENDPOINT_MAX_GENERATION = 0x7fffffff / ENDPOINT_GENERATION_SIZE - 1;

constexpr endpoint_t make_endpoint(int generation, proc_nr_t slot) {
    return generation * ENDPOINT_GENERATION_SIZE + slot;
}
// Any 32-bit value may reach these (a service names the endpoint), so they
// compute in 64 bits: e + MAX_NR_TASKS must not overflow for e near
// INT_MAX. Values that are not endpoints give a slot outside the table,
// which every caller checks with slot_in_range.
constexpr int endpoint_generation(endpoint_t e) {
    return static_cast<int>((std::int64_t{e} + MAX_NR_TASKS) / ENDPOINT_GENERATION_SIZE);
}
constexpr proc_nr_t endpoint_slot(endpoint_t e) {
    return static_cast<proc_nr_t>((std::int64_t{e} + MAX_NR_TASKS) % ENDPOINT_GENERATION_SIZE -
                                  MAX_NR_TASKS);
}
// The generation a slot gets when it is reused: one more, wrapping to 1.
constexpr int next_generation(int generation) {
    return generation >= ENDPOINT_MAX_GENERATION ? 1 : generation + 1;
}
constexpr bool slot_in_range(proc_nr_t slot) {
    return slot >= -NR_TASKS && slot < NR_PROCS;
}
constexpr bool is_kernel_slot(proc_nr_t slot) {
    return slot < 0;
}

static_assert(endpoint_slot(make_endpoint(7, 42)) == 42 &&
              endpoint_generation(make_endpoint(7, 42)) == 7);
static_assert(endpoint_slot(SYSTEM) == SYSTEM && endpoint_generation(SYSTEM) == 0);
// Constant evaluation rejects overflow: these hold only because the
// arithmetic above is done in 64 bits.
static_assert(endpoint_slot(0x7fffffff) < ENDPOINT_GENERATION_SIZE - MAX_NR_TASKS &&
              endpoint_slot(-0x7fffffff - 1) > -ENDPOINT_GENERATION_SIZE - MAX_NR_TASKS);

}  // namespace umk
