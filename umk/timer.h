// Kernel timers: a sorted singly linked list of expiry times in ticks
// (MINIX lib/timers). No heap: every timer lives in the object that owns it.
#pragma once

#include "umk/types.h"

namespace umk {

struct Timer;
using TimerFn = void (*)(Timer&);

struct Timer {
    Timer* next = nullptr;
    clock_t_ exp_time = 0;  // absolute tick of expiry
    TimerFn fn = nullptr;   // nullptr while inactive
    std::int64_t arg = 0;   // for fn: e.g. the owner's slot
};

inline constexpr clock_t_ TMR_NEVER = ~clock_t_{0};

}  // namespace umk
