// State that crosses a live update or a restart (SEF's state transfer).
//
// A service that keeps state declares one area in its own memory with
// sef_state_setup() before sef_startup(). The area holds two checkpoint
// copies; sef_state_checkpoint() writes the older one (data, then a header
// with a sequence number and a CRC-32) so that a crash in the middle of a
// checkpoint leaves the other copy intact.
//
// SEF grants the area (read-only) to the service's own endpoint and reports
// the grant to RS in its RS_INIT answer. The next instance that takes over
// the endpoint - the new version of a live update, or the replica of a
// crashed instance under the `restart` policy - finds its predecessor's
// image frozen at another endpoint (RS says which in RS_INIT) and copies the
// newest valid checkpoint with sef_state_restore() in its init callback.
//
// Rules for a service:
//  - checkpoint after each change that must survive a crash, and in the
//    live-update state-save callback (the old version's last word);
//  - restore in init_lu / init_restart, and do not call other services
//    there: in a multi-component update they are initializing too;
//  - the version is the layout of the data: a new version that changes it
//    must convert (or fail its init, and RS rolls back).
// The predecessor is untrusted memory (it may have crashed while writing):
// only a copy with a valid header and CRC is ever returned.
#pragma once

#include <cstddef>
#include <cstdint>

#include "umk/types.h"

namespace umk {

// The layout (shown for sizing): an area header, then two copies, each a
// copy header and `slot` bytes of data.
struct sef_state_area_hdr {
    std::uint32_t magic;
    std::uint32_t slot;  // data bytes per copy (the predecessor's may differ from ours)
};
struct sef_state_copy_hdr {
    std::uint32_t magic;
    std::uint32_t version;  // the service's layout version
    std::uint64_t seq;      // 0: never written
    std::uint32_t len;      // bytes of data that follow
    std::uint32_t crc;      // CRC-32 of the data
};

// Bytes of area that hold checkpoints of up to `max_len` bytes.
constexpr std::size_t sef_state_area_size(std::size_t max_len) {
    return sizeof(sef_state_area_hdr) +
           2 * (sizeof(sef_state_copy_hdr) + ((max_len + 7) & ~std::size_t{7}));
}

// Register the area (static storage of sef_state_area_size(max_len) bytes,
// 8-byte aligned). Call once, before sef_startup. -EINVAL for a bad area.
int sef_state_setup(void* area, std::size_t area_len, std::size_t max_len, std::uint32_t version);

// Write a checkpoint of `len` (<= max_len) bytes. OK, -EINVAL, -ENOSYS (no area).
int sef_state_checkpoint(const void* data, std::size_t len);

// In an init callback: copy the predecessor's newest valid checkpoint into
// `data` (capacity *len; out: bytes copied) and its layout version.
//  -ENOENT    no predecessor (fresh start, reset policy) or it never checkpointed
//  -EFAULT    the predecessor's memory is gone (e.g. killed by the host)
//  -EIO       no copy has a valid header and CRC
//  -E2BIG     the checkpoint is larger than *len
int sef_state_restore(void* data, std::size_t* len, std::uint32_t* version);

// Why sef_state_restore failed, in words for a log line ("its memory is
// gone"); -EINVAL stands for a checkpoint the caller found unusable.
const char* sef_state_error(int err);

// The predecessor RS named in our RS_INIT (NONE if none), for the log.
endpoint_t sef_state_predecessor();

// CRC-32 (IEEE 802.3, reflected, as zlib's crc32()).
std::uint32_t sef_crc32(const void* data, std::size_t len);

}  // namespace umk
