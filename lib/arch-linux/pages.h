// The two pages the kernel shares with this service (see umk/arch/linux.h),
// mapped by startup.cc before any service code runs, at the fixed addresses
// the kernel's seccomp filter expects (SLOT_PAGE_ADDR, KERNEL_PAGE_ADDR).
#pragma once

#include "umk/arch/linux.h"

namespace umk::linux_host {

extern SlotPage* slot_page;
extern const KernelPage* kernel_page;  // read-only: the kernel writes it

}  // namespace umk::linux_host
