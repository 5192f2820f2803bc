// The two pages the kernel shares with this service (see umk_linux/slot_page.h),
// mapped by startup.cc before any service code runs.
#pragma once

#include "umk/arch/linux.h"

namespace umk::linux_host {

extern SlotPage* slot_page;
extern KernelPage* kernel_page;

// Install the strict seccomp filter (seccomp_filter.cc). Returns 0 or a
// negative errno; on failure the service must not run.
int install_service_filter();

}  // namespace umk::linux_host
