// Ringing the kernel, for both sides of the Linux trap ABI
// (umk/arch/linux.h): the service library's trap and the host's in-process
// clients. One copy, because the memory ordering is the whole point.
#pragma once

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

#include "umk/arch/linux.h"

namespace umk::linux_host {

// Publish call `seq` of `page` and wake the kernel if it waits. seq_cst on
// all four accesses pairs with the kernel's "sleeping = 1; load each
// doorbell; re-check call_seq; futex_waitv": either the kernel sees the new
// call_seq before it waits, or its wait sees the doorbell move (and returns
// at once), or this side sees sleeping and wakes it. Not FUTEX_PRIVATE: the
// word is shared with the kernel process.
inline void publish_call(SlotPage* page, const KernelPage* kernel, std::uint32_t seq) {
    page->call_seq.store(seq, std::memory_order_seq_cst);
    page->doorbell.fetch_add(1, std::memory_order_seq_cst);
    if (kernel->sleeping.load(std::memory_order_seq_cst) != 0)
        syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&page->doorbell), FUTEX_WAKE, 1,
                nullptr, nullptr, 0);
}

}  // namespace umk::linux_host
