#include "common/futex.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace umk::bench {

int futex_wait(std::atomic<std::uint32_t>* word, std::uint32_t expected, int timeout_ms) {
    timespec timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000L * 1000L};
    const long r = syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAIT, expected,
                           &timeout, nullptr, 0);
    return (r < 0 && errno == ETIMEDOUT) ? -1 : 0;
}

void futex_wake(std::atomic<std::uint32_t>* word) {
    syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAKE, 1, nullptr, nullptr, 0);
}

bool futex_wait_for(std::atomic<std::uint32_t>* word, std::uint32_t want, int timeout_ms) {
    while (true) {
        const std::uint32_t seen = word->load(std::memory_order_acquire);
        if (seen == want) return true;
        if (futex_wait(word, seen, timeout_ms) < 0 && word->load(std::memory_order_acquire) != want)
            return false;
    }
}

}  // namespace umk::bench
