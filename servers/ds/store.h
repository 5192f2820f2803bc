// The data store: entries, subscriptions and the request handlers
// (MINIX servers/ds/store.c). Each handler decodes and checks the request
// first and changes the store only once nothing can fail any more.
//
// Handlers take the request message, may fill reply fields in it, and return
// OK or a negative MINIX error (the reply's m_type), or -EDONTREPLY.
#pragma once

#include <cstdint>

#include "umk/types.h"
#include "umklib/ds.h"

namespace umk::ds {

struct Entry {
    int flags;  // DSF_IN_USE | type | DSF_PRIV_*
    char key[DS_MAX_KEYLEN];
    char owner[DS_MAX_KEYLEN];  // the publisher's label
    std::uint32_t u32;          // U32 and LABEL
    std::uint32_t mem_len;      // STR and MEM
    std::uint8_t mem[DS_MAX_MEMLEN];
};

struct Subscription {
    int flags;                      // DSF_IN_USE | the types it wants
    char owner[DS_MAX_KEYLEN];      // the subscriber's label
    char regex[DS_MAX_KEYLEN + 4];  // the anchored pattern: ^(...)$
    std::uint64_t changed;          // bit n: entry n changed since the last check
};
static_assert(DS_NR_KEYS <= 64, "one bit per entry in Subscription::changed");

// Reset the store. `self` is DS's own endpoint (its name is "ds"); RS is
// known as "rs" from the start, so that it can publish everybody's label.
void store_init(endpoint_t self, endpoint_t rs);

// A label for a boot process, owned by "rs", as MINIX DS maps the boot
// image at init: boot services are known before RS gets to publish their
// labels. OK, -EEXIST (the name or the endpoint is taken), -ENOMEM.
int store_add_boot_label(const char* name, endpoint_t ep);

// After a restore: the label "rs" names `rs` (the RS that initialized us),
// owned by "rs". OK or -ENOMEM.
int store_ensure_rs_label(endpoint_t rs);

int do_publish(message& m);
int do_retrieve(message& m);
int do_retrieve_label(message& m);
int do_subscribe(message& m);
int do_check(message& m);
int do_delete(message& m);

// The main loop's dispatcher: routes by m_type.
int handle_request(message& m);

// For tests and diagnostics.
const Entry* store_entries();
const Subscription* store_subscriptions();

// For the state transfer (state.cc) only.
namespace detail {
Entry* entries_mut();
Subscription* subs_mut();
void set_self(endpoint_t self);
void touch();
// Notify every subscriber with changes it has not checked yet: a restored
// store's subscribers may have missed the notification the crash swallowed.
void notify_pending();
}  // namespace detail

}  // namespace umk::ds
