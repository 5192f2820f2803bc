// Basic kernel types and the message: one ABI for i386 and x86_64.
#pragma once

#include <cstddef>
#include <cstdint>

namespace umk {

using endpoint_t = std::int32_t;
using proc_nr_t = std::int32_t;
using sys_id_t = std::int32_t;
using vir_bytes = std::uint64_t;  // an address in some process; 64 bits on every arch
using clock_t_ = std::uint64_t;   // ticks since boot
using sigset_t_ = std::uint64_t;  // bit n = signal n (see sig.h)
using cp_grant_id_t = std::int32_t;

// The address of an object in the calling process, as the kernel sees it.
// Through uintptr_t: a direct cast to the 64-bit vir_bytes sign-extends a
// pointer on i386. It never reads the object, so an unwritten buffer may be
// passed (GCC: access none, else -Wmaybe-uninitialized fires at -O0).
#if defined(__GNUC__) && !defined(__clang__)
[[gnu::access(none, 1)]]
#endif
inline vir_bytes
vir_addr(const volatile void* p) {
    return static_cast<vir_bytes>(reinterpret_cast<std::uintptr_t>(p));
}

// The MINIX message, with fixed-width fields so that it has the same layout
// on i386 and on the 64-bit Linux host (the MINIX original grows from 36 to
// 56 bytes on LP64). Field names follow MINIX: mN_xK is field K of kind x in
// layout N; pointers are vir_bytes because they point into another process.
struct alignas(8) message {
    endpoint_t m_source;
    std::int32_t m_type;
    union {
        struct {
            std::int32_t m1_i1, m1_i2, m1_i3, m1_i4;
            vir_bytes m1_p1, m1_p2, m1_p3;
            std::int64_t m1_l1, m1_l2;
        };
        struct {
            std::int32_t m2_i1, m2_i2, m2_i3;
            std::int16_t m2_s1, m2_s2;
            std::int64_t m2_l1, m2_l2;
            vir_bytes m2_p1;
            std::uint64_t m2_u1, m2_u2;
        };
        struct {
            std::int32_t m3_i1, m3_i2;
            vir_bytes m3_p1;
            char m3_ca1[40];
        };
        std::uint8_t m_raw[56];
    };
};

static_assert(sizeof(message) == 64, "the message ABI is 64 bytes on every arch");
static_assert(offsetof(message, m1_p1) == 24 && offsetof(message, m2_l1) == 24 &&
                  offsetof(message, m3_ca1) == 24,
              "no arch-dependent padding in the message");

}  // namespace umk
