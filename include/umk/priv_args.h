// The argument of SYS_PRIVCTL SET_SYS: privileges a parent (RS) gives a
// process it created. Read by the kernel from the caller's memory.
#pragma once

#include <cstdint>

#include "umk/config.h"
#include "umk/types.h"

namespace umk {

struct priv_args {
    std::uint32_t flags;      // s_flags; DYN_PRIV_ID asks for a dynamic privilege id
    std::int32_t id;          // the static id to use when !(flags & DYN_PRIV_ID)
    std::uint32_t trap_mask;  // bit n: IPC trap n
    endpoint_t sig_mgr;       // signal manager (SELF: itself, NONE: nobody)
    std::uint64_t ipc_to[(NR_SYS_PROCS + 63) / 64];  // bit n: may send to priv id n
    std::uint64_t k_call_mask;                       // bit k: kernel call KERNEL_CALL + k
    std::int32_t nr_irq;
    std::int32_t irq_tab[4];
    std::int32_t nr_io_range;
    std::uint32_t io_tab[8][2];  // base, limit
};

}  // namespace umk
