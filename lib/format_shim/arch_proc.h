// lib/kernel_log_adapter.cc (kprintf in a service) includes the core's
// kernel.h for kprintf's declaration, which pulls in
// proc.h and with it the arch's ArchProc. A service has no process table;
// this empty ArchProc only lets that file compile here.
#pragma once

namespace umk {
struct ArchProc {};
}  // namespace umk
