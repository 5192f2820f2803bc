// DS's whole store as a checkpoint (SEF state transfer, umklib/sef_state.h):
// what crosses a live update and a crash of DS. The store is written as a
// compact stream (only the entries and subscriptions in use, each value only
// as long as it is) and read back like hostile input: the predecessor may
// have been corrupted before it wrote its last checkpoint.
#pragma once

#include <cstddef>
#include <cstdint>

#include "store.h"

namespace umk::ds {

// The layout of the stream; sef_state_setup's version. A new DS whose
// layout differs must convert (there is only one so far).
inline constexpr std::uint32_t STATE_VERSION = 1;
inline constexpr std::uint32_t STATE_MAGIC = 0x54534453;  // "SDST"

struct StateHeader {
    std::uint32_t magic;
    std::uint32_t entry_size;  // sizeof(EntryRecord), sizeof(SubRecord): the layout
    std::uint32_t sub_size;
    std::uint32_t nr_entries;
    std::uint32_t nr_subs;
    std::uint32_t bytes;  // the whole stream, header included
};

// An entry, followed by its value (mem_len bytes, padded to 8).
struct EntryRecord {
    std::uint32_t index;  // its slot: subscriptions' change bits name it
    std::int32_t flags;
    std::uint32_t u32;
    std::uint32_t mem_len;
    char key[DS_MAX_KEYLEN];
    char owner[DS_MAX_KEYLEN];
};

struct SubRecord {
    std::int32_t flags;
    std::uint32_t pad;
    std::uint64_t changed;  // entries changed since the subscriber's last check
    char owner[DS_MAX_KEYLEN];
    char regex[DS_MAX_KEYLEN + 4];
};

constexpr std::size_t state_pad8(std::size_t n) {
    return (n + 7) & ~std::size_t{7};
}
// The largest stream: a full store.
inline constexpr std::size_t STATE_MAX_BYTES =
    sizeof(StateHeader) + DS_NR_KEYS * (sizeof(EntryRecord) + state_pad8(DS_MAX_MEMLEN)) +
    DS_NR_SUBS * sizeof(SubRecord);

// Writes the store into buf (capacity len); returns the bytes written, or 0
// if it does not fit (it always fits in STATE_MAX_BYTES).
std::size_t state_save(void* buf, std::size_t len);

// What a restore kept and dropped (each drop is logged with its reason).
struct RestoreReport {
    int entries = 0;
    int subs = 0;
    int dropped_entries = 0;
    int dropped_subs = 0;
};

// Replaces the store with the stream's content, after checking all of it:
// each damaged entry or subscription is dropped (and logged), the rest is
// kept; quotas are enforced again (an owner over them loses its newest
// entries). -EINVAL (logged) if the header itself is unusable: the store is
// then untouched. `self` is DS's endpoint.
int state_load(const void* buf, std::size_t len, endpoint_t self, RestoreReport* report);

// Bumped by every change of the store: the main loop checkpoints when it moved.
std::uint64_t store_changes();

}  // namespace umk::ds
