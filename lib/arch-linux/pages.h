// The two pages the kernel shares with this service (see umk/arch/linux.h),
// mapped by startup.cc before any service code runs.
#pragma once

#include "umk/arch/linux.h"

namespace umk::linux_host {

extern SlotPage* slot_page;
extern const KernelPage* kernel_page;  // read-only: the kernel writes it

// Install the strict seccomp filter (seccomp_filter.cc). Returns 0 or a
// negative errno; on failure the service must not run.
int install_service_filter();

}  // namespace umk::linux_host
