// The clock: uptime in ticks and the kernel timers (MINIX kernel/clock.c and
// lib/timers). Timers form one list sorted by expiry time; every timer lives
// in the object that owns it (a privilege record's s_alarm_timer), so there
// is no allocation.
#include "core.h"
#include "kernel.h"

namespace umk {
namespace {

clock_t_ ticks;           // uptime
Timer* active = nullptr;  // sorted by exp_time; equal times keep insertion order

// Take t out of the active list if it is there. Searches by address rather
// than trusting t.fn, so that a record reset behind our back (kernel_init,
// priv_free) can never end up linked twice.
void unlink(Timer& t) {
    for (Timer** pp = &active; *pp; pp = &(*pp)->next) {
        if (*pp == &t) {
            *pp = t.next;
            break;
        }
    }
    t.next = nullptr;
}

}  // namespace

void clock_reset() {
    ticks = 0;
    active = nullptr;
}

clock_t_ uptime() {
    return ticks;
}

void set_timer(Timer& t, clock_t_ exp_time, TimerFn fn, std::int64_t arg) {
    unlink(t);
    t.exp_time = exp_time;
    t.fn = fn;
    t.arg = arg;
    if (!fn) return;
    Timer** pp = &active;
    while (*pp && (*pp)->exp_time <= exp_time) pp = &(*pp)->next;
    t.next = *pp;
    *pp = &t;
}

void reset_timer(Timer& t) {
    unlink(t);
    t.fn = nullptr;
    t.exp_time = TMR_NEVER;
}

clock_t_ timer_left(const Timer& t) {
    if (!t.fn || t.exp_time == TMR_NEVER || t.exp_time <= ticks) return 0;
    return t.exp_time - ticks;
}

void clock_tick() {
    ++ticks;
    // Expire in order. Each timer is inactive before its function runs, so
    // the function may set it again (a periodic timer); one set for a time
    // already past runs again in this loop.
    while (active && active->exp_time <= ticks) {
        Timer& t = *active;
        active = t.next;
        t.next = nullptr;
        const TimerFn fn = t.fn;
        t.fn = nullptr;
        t.exp_time = TMR_NEVER;
        if (fn) fn(t);
    }
    if (ticks % HZ == 0) kmess_budget_tick();
    // Log text from anywhere in the kernel reaches its reader (or, with no
    // live reader left, the console) within a tick.
    kmess_tick();
}

}  // namespace umk
