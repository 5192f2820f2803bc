// Compile-time sizing of the kernel tables. Every value can be overridden on
// the compiler command line (-DUMK_NR_PROCS=...), as MINIX's sys_config.h can.
#pragma once

#ifndef UMK_NR_PROCS
#define UMK_NR_PROCS 128  // process slots for servers, drivers and user processes
#endif
#ifndef UMK_NR_SYS_PROCS
#define UMK_NR_SYS_PROCS 96  // privilege slots; user processes share one of them
#endif
#ifndef UMK_HZ
#define UMK_HZ 60  // clock ticks per second (MINIX DEFAULT_HZ)
#endif

namespace umk {

inline constexpr int NR_TASKS = 4;  // IDLE, CLOCK, SYSTEM, KERNEL/HARDWARE
inline constexpr int NR_PROCS = UMK_NR_PROCS;
inline constexpr int NR_SYS_PROCS = UMK_NR_SYS_PROCS;
inline constexpr int HZ = UMK_HZ;
inline constexpr int PROC_NAME_LEN = 16;  // including the NUL, as an RS label

// Largest SENDA table, as in MINIX: 16 entries for every slot.
inline constexpr int NR_ASYNC_MAX = 16 * (NR_TASKS + NR_PROCS);

static_assert(NR_PROCS > 0 && NR_PROCS <= 1000, "slot numbers must stay below MAX_NR_TASKS");
static_assert(NR_SYS_PROCS > NR_TASKS + 1 && NR_SYS_PROCS <= NR_TASKS + NR_PROCS,
              "every kernel task, RS and the shared user slot need a privilege slot");

}  // namespace umk
