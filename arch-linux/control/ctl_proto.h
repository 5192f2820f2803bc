// The control socket protocol between the `umk` tools (service, ps, cat)
// and the control proxy inside the kernel process (ctlsock.cc).
//
// One request per connection: the client writes one CtlRequest (fixed
// size), the proxy answers with one CtlReply followed by reply.data_len
// bytes of data, then closes. CTL_CAT streams: the proxy sends frames
// (CtlReply + data) with `more` set as the program's output arrives, then a
// last frame (more = 0) with the result. Both sides are the same
// executable, so the structs travel as they are.
#pragma once

#include <cstdint>

#include "umk/types.h"
#include "umklib/rs_proto.h"

namespace umk::control {

inline constexpr std::uint32_t CTL_MAGIC = 0x434b4d55;  // "UMKC"

enum CtlOp : std::uint32_t {
    CTL_RS = 1,   // an RS request (rs_type): UP, RUN, UPDATE, DOWN, ..., LIST
    CTL_PS = 2,   // the kernel's process table
    CTL_CAT = 3,  // run the user program `cat PATH` through PM; stream its output
};

struct CtlRequest {
    std::uint32_t magic;
    std::uint32_t op;           // CtlOp
    std::int32_t rs_type;       // CTL_RS: RS_UP ...
    char label[PROC_NAME_LEN];  // CTL_RS: DOWN, REFRESH, RESTART, LOOKUP
    char path[40];              // CTL_CAT: "/dev/hello" (cat's argument)
    rs::rs_start start;         // CTL_RS: UP, RUN, UPDATE; SYSCTL: the subtype in start.state
};

struct CtlReply {
    std::uint32_t magic;
    std::int32_t status;       // OK or a negative MINIX error
    std::int32_t endpoint;     // CTL_RS: RS_ENDPOINT of the answer
    std::uint32_t count;       // entries in the data (LIST, PS)
    std::uint32_t data_len;    // bytes following this header
    char text[120];            // the proxy's own explanation of a failure, or ""
    std::uint32_t more;        // CTL_CAT: 1 = output; another frame follows
    std::int32_t wait_status;  // CTL_CAT last frame, status OK: the program's wait status
};

// One process-table row (CTL_PS).
struct PsEntry {
    std::int32_t slot;
    endpoint_t endpoint;
    char name[PROC_NAME_LEN];
    std::uint32_t rts_flags;
    std::uint32_t misc_flags;
    endpoint_t sig_mgr;  // NONE without privileges
    std::uint32_t priv_flags;
    std::int32_t priv_id;
    std::int32_t host_pid;  // 0 if none (kernel task, in-kernel slot)
    std::int32_t kind;      // ArchKind: 0 none, 1 host, 2 in-kernel, 3 client
};

inline constexpr std::uint32_t CTL_MAX_DATA = 48 * 1024;

}  // namespace umk::control
