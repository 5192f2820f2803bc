// DS, the data store (MINIX include/minix/ds.h, com.h DS_*): a small
// publish/subscribe store of typed values, owned by the label of whoever
// published them, so that a service can find its state again after a live
// update or a restart.
//
// Client functions return OK or a negative MINIX error (-EEXIST, -ESRCH, ...).
#pragma once

#include <cstddef>
#include <cstdint>

#include "umk/com.h"
#include "umk/err.h"
#include "umk/types.h"

namespace umk {

// ---- Requests (m_type) ----
inline constexpr int DS_RQ_BASE = 0x800;
inline constexpr int DS_PUBLISH = DS_RQ_BASE + 0;
inline constexpr int DS_RETRIEVE = DS_RQ_BASE + 1;
inline constexpr int DS_SUBSCRIBE = DS_RQ_BASE + 2;
inline constexpr int DS_CHECK = DS_RQ_BASE + 3;
inline constexpr int DS_DELETE = DS_RQ_BASE + 4;
inline constexpr int DS_SNAPSHOT = DS_RQ_BASE + 5;  // MAP entries: not supported (ENOSYS)
inline constexpr int DS_RETRIEVE_LABEL = DS_RQ_BASE + 6;

// ---- Message fields ----
#define DS_KEY_GRANT \
    m2_i1  // grant for the key (read), or for a key buffer (CHECK, RETRIEVE_LABEL: write)
#define DS_KEY_LEN m2_s1  // length of the key incl. NUL (buffer size for CHECK/RETRIEVE_LABEL)
#define DS_FLAGS m2_i2    // DSF_* flags; CHECK reply: the type of the changed entry
#define DS_VAL m2_l1      // u32/label value, or the grant for a memory range
#define DS_VAL_LEN m2_l2  // length of the memory range (reply: bytes copied)
#define DS_NR_SNAPSHOT m2_i3

// ---- Flags ----
inline constexpr int DSF_IN_USE = 0x001;
inline constexpr int DSF_PRIV_RETRIEVE = 0x002;   // only the owner may retrieve
inline constexpr int DSF_PRIV_OVERWRITE = 0x004;  // (umk: overwriting is always owner-only)
inline constexpr int DSF_PRIV_SNAPSHOT = 0x004;
inline constexpr int DSF_PRIV_SUBSCRIBE = 0x008;  // only the owner sees it in subscriptions
inline constexpr int DSF_TYPE_U32 = 0x010;
inline constexpr int DSF_TYPE_STR = 0x020;
inline constexpr int DSF_TYPE_MEM = 0x040;
inline constexpr int DSF_TYPE_MAP = 0x080;  // not supported on umk (ENOSYS)
inline constexpr int DSF_TYPE_LABEL = 0x100;
inline constexpr int DSF_MASK_TYPE = 0xFF0;
inline constexpr int DSF_MASK_INTERNAL = 0xFFF;
inline constexpr int DSF_OVERWRITE = 0x01000;  // replace an existing entry
inline constexpr int DSF_INITIAL = 0x02000;    // subscribe: report current matches at once
inline constexpr int DSMF_MAP_MAPPED = 0x10000;
inline constexpr int DSMF_COPY_MAPPED = 0x20000;
inline constexpr int DSMF_COPY_SNAPSHOT = 0x40000;
// umk: RETRIEVE and delete the entry in the same request (only its owner
// may; EPERM leaves it untouched). A live update's new version takes its
// predecessor's state with one round trip instead of two.
inline constexpr int DSF_TAKE = 0x80000;

// ---- Limits ----
inline constexpr int DS_MAX_KEYLEN = 80;    // a key, including the NUL
inline constexpr int DS_NR_KEYS = 64;       // entries
inline constexpr int DS_NR_SUBS = 128;      // subscriptions (one per owner label)
inline constexpr int DS_MAX_MEMLEN = 1024;  // umk: a STR/MEM value (no heap in DS)
// umk: quotas, so that one service cannot fill the store (ENOMEM for it
// only). "rs" (the labels of every service) is exempt and has entries no
// other owner may take; an owner's entries go when RS deletes its label.
inline constexpr int DS_OWNER_KEYS = 8;      // entries one label (not "rs") may own
inline constexpr int DS_OWNER_BYTES = 2048;  // STR/MEM bytes one label (not "rs") may hold
inline constexpr int DS_RS_RESERVED = 24;    // entries kept free for "rs" alone
static_assert(DS_RS_RESERVED + DS_OWNER_KEYS <= DS_NR_KEYS, "room for RS and one owner");

// ---- Client (lib/ds, target umk_ds) ----
int ds_publish_u32(const char* key, std::uint32_t value, int flags);
int ds_retrieve_u32(const char* key, std::uint32_t* value);
int ds_delete_u32(const char* key);
// Retrieve and delete (DSF_TAKE): the caller must own the entry.
int ds_take_u32(const char* key, std::uint32_t* value);

// Strings travel as memory ranges of type STR including their NUL.
int ds_publish_str(const char* key, const char* value, int flags);
// Copies at most `len` characters into `buf`, which must hold len + 1 bytes;
// the result is always NUL-terminated (a longer string is truncated).
int ds_retrieve_str(const char* key, char* buf, std::size_t len);
int ds_delete_str(const char* key);

int ds_publish_mem(const char* key, const void* addr, std::size_t length, int flags);
// *length: in, the buffer size; out, the bytes copied (min(stored, buffer)).
int ds_retrieve_mem(const char* key, void* addr, std::size_t* length);
int ds_delete_mem(const char* key);

// Labels map a service's name to its endpoint; RS publishes them (owner "rs").
// A label value is unique: publishing a second label with the same value is EEXIST.
int ds_publish_label(const char* key, std::uint32_t value, int flags);
int ds_retrieve_label_num(const char* key, std::uint32_t* value);
// `name` must hold DS_MAX_KEYLEN bytes.
int ds_retrieve_label_name(char* name, std::uint32_t value);
int ds_delete_label(const char* key);

// Subscribe to the keys matching a POSIX extended regular expression
// (anchored: ^regex$). Type bits in `flags` filter (none = every type);
// DSF_OVERWRITE replaces the caller's existing subscription; DSF_INITIAL
// reports the current matches at once. DS notifies the subscriber on each
// change; ds_check then returns the next changed key and its type, or
// -ENOENT when nothing is left (e.g. the entry was deleted).
int ds_subscribe(const char* regex, int flags);
int ds_check(char* key, int* type);  // `key` must hold DS_MAX_KEYLEN bytes

}  // namespace umk
