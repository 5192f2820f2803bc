// Thin wrappers around the futex syscall on a word that may live in a
// MAP_SHARED page (so: never FUTEX_PRIVATE_FLAG).
#pragma once

#include <atomic>
#include <cstdint>

namespace umk::bench {

// Sleeps while *word == expected, at most timeout_ms. Returns 0 when woken
// or the value differed, -1 on timeout.
int futex_wait(std::atomic<std::uint32_t>* word, std::uint32_t expected, int timeout_ms);
void futex_wake(std::atomic<std::uint32_t>* word);

// Waits until *word == want, sleeping in futex_wait (no spinning), at most
// timeout_ms per sleep; returns false on a timeout (the peer may be dead).
bool futex_wait_for(std::atomic<std::uint32_t>* word, std::uint32_t want, int timeout_ms);

}  // namespace umk::bench
