// asynsend3 (MINIX lib/libsys/asynsend.c): queue a message in the library's
// private SENDA table and hand the kernel the live part of the table again.
//
// The table is a window [first, next) of entries the kernel may still be
// working on. Entries the kernel marked DONE at the front of the window are
// dropped; when the window reaches the end of the table, the kernel is told
// to forget the table (SENDA with 0 entries), the still pending entries are
// moved to the front, and the window restarts there. The kernel writes an
// entry's flags and result while we run, so those are read atomically, and
// a new entry's flags are written last.
#include "lib_internal.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/sef.h"

namespace umk {
namespace {

constexpr int ASYN_NR = 100;

asynmsg_t table[ASYN_NR];
int first = 0;  // first entry the kernel may still use
int next = 0;   // first unused entry
bool inside = false;

std::uint32_t flags_of(const asynmsg_t& e) {
    return __atomic_load_n(&e.flags, __ATOMIC_ACQUIRE);
}

bool finished(std::uint32_t flags) {
    return (flags & (AMF_VALID | AMF_DONE)) == (AMF_VALID | AMF_DONE);
}

void compact() {
    // Stop the kernel from scanning the table while entries move.
    const int r = ipc_senda(nullptr, 0);
    if (r != OK) panic("asynsend: SENDA to reset the table failed: %s", errno_name(r));
    int dst = 0;
    for (int src = first; src < next; ++src) {
        const std::uint32_t f = flags_of(table[src]);
        if (f == AMF_EMPTY || finished(f)) continue;
        if (src != dst) table[dst] = table[src];
        ++dst;
    }
    for (int i = dst; i < ASYN_NR; ++i)
        __atomic_store_n(&table[i].flags, AMF_EMPTY, __ATOMIC_RELEASE);
    first = 0;
    next = dst;
}

}  // namespace

int asynsend3(endpoint_t dst, const message* m, unsigned flags) {
    // A log line from inside asynsend (panic) does not use asynsend, so
    // re-entry can only be a bug in the caller.
    if (inside) panic("asynsend: called recursively");
    inside = true;

    // Drop the finished entries at the front of the window.
    while (first < next) {
        const std::uint32_t f = flags_of(table[first]);
        if (f != AMF_EMPTY && !finished(f)) break;
        ++first;
    }
    if (first >= next) first = next = 0;

    if (next >= ASYN_NR) {
        compact();
        if (next >= ASYN_NR) {
            inside = false;
            log_printf("asynsend: table full (%d messages pending), message to %d dropped\n",
                       ASYN_NR, dst);
            return -ENOSPC;
        }
    }

    asynmsg_t& e = table[next];
    e.dst = dst;
    e.result = 0;
    e.msg = *m;
    __atomic_store_n(&e.flags, (flags & ~AMF_DONE) | AMF_VALID, __ATOMIC_RELEASE);
    ++next;

    // Let the kernel rescan the live part of the table.
    const int r = ipc_senda(&table[first], static_cast<std::size_t>(next - first));
    inside = false;
    return r;
}

int asynsend_pending() {
    int n = 0;
    for (int i = first; i < next; ++i) {
        const std::uint32_t f = flags_of(table[i]);
        if (f != AMF_EMPTY && !finished(f)) ++n;
    }
    return n;
}

namespace detail {
void asynsend_reset() {
    for (asynmsg_t& e : table) e = asynmsg_t{};
    first = next = 0;
    inside = false;
}
}  // namespace detail

}  // namespace umk
