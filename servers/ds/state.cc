// DS's store as a checkpoint stream and its validated restore (state.h).
#include "state.h"

#include <initializer_list>

#include "ds_regex.h"
#include "umk/err.h"
#include "umk/str.h"
#include "umklib/log.h"

namespace umk::ds {
namespace {

constexpr const char* RS_LABEL = "rs";

// The restore builds the new store here, so that an unusable stream leaves
// the live store untouched.
Entry new_entries[DS_NR_KEYS];
Subscription new_subs[DS_NR_SUBS];

bool terminated(const char* s, std::size_t cap) {
    for (std::size_t i = 0; i < cap; ++i)
        if (s[i] == '\0') return true;
    return false;
}

// A string field of the stream: terminated within its field and not empty.
bool good_name(const char* s, std::size_t cap) {
    return terminated(s, cap) && s[0] != '\0';
}

int type_count(int flags) {
    int n = 0;
    for (int t : {DSF_TYPE_U32, DSF_TYPE_STR, DSF_TYPE_MEM, DSF_TYPE_MAP, DSF_TYPE_LABEL})
        n += (flags & t) ? 1 : 0;
    return n;
}

// Why a restored entry cannot be kept, or nullptr.
const char* bad_entry(const EntryRecord& r, const std::uint8_t* value) {
    if (r.index >= static_cast<std::uint32_t>(DS_NR_KEYS)) return "slot out of range";
    if (!(r.flags & DSF_IN_USE)) return "not in use";
    if (r.flags & ~DSF_MASK_INTERNAL) return "unknown flags";
    if (r.flags & (DSF_MASK_TYPE &
                   ~(DSF_TYPE_U32 | DSF_TYPE_STR | DSF_TYPE_MEM | DSF_TYPE_MAP | DSF_TYPE_LABEL)))
        return "unknown type";
    if (type_count(r.flags) != 1 || (r.flags & DSF_TYPE_MAP)) return "not exactly one known type";
    if (!terminated(r.key, sizeof r.key)) return "key not terminated";
    if (str::len(r.key) < 1) return "empty key";
    if (!good_name(r.owner, sizeof r.owner)) return "owner label not terminated or empty";
    const bool mem = r.flags & (DSF_TYPE_STR | DSF_TYPE_MEM);
    if (!mem && r.mem_len != 0) return "a number with a value length";
    if (mem && r.mem_len > static_cast<std::uint32_t>(DS_MAX_MEMLEN)) return "value too long";
    if ((r.flags & DSF_TYPE_STR) && (r.mem_len == 0 || value[r.mem_len - 1] != '\0'))
        return "string not terminated";
    return nullptr;
}

// Why a restored subscription cannot be kept, or nullptr.
const char* bad_sub(const SubRecord& r) {
    if (!(r.flags & DSF_IN_USE)) return "not in use";
    if (r.flags & ~(DSF_IN_USE | DSF_MASK_TYPE)) return "unknown flags";
    if (!(r.flags & DSF_MASK_TYPE)) return "no type";
    if (!good_name(r.owner, sizeof r.owner)) return "owner label not terminated or empty";
    if (!terminated(r.regex, sizeof r.regex)) return "pattern not terminated";
    // do_subscribe stores ^(pattern)$ and only patterns that compile.
    std::size_t n = str::len(r.regex);
    if (n < 4 || r.regex[0] != '^' || r.regex[1] != '(' || r.regex[n - 2] != ')' ||
        r.regex[n - 1] != '$')
        return "pattern not anchored";
    static Regex re;
    if (regex_compile(r.regex, re) != OK) return "pattern does not compile";
    return nullptr;
}

void drop_entry(RestoreReport& rep, std::uint32_t index, const char* key_or_null, const char* why) {
    log_printf("ds: restored entry %u (%s) dropped: %s\n", index,
               key_or_null ? key_or_null : "key unreadable", why);
    rep.dropped_entries++;
}

// Quotas are not stored but follow from the entries (check_quota counts
// them): a store that exceeds them (a damaged predecessor, or one with other
// limits) loses what is over, in slot order, so that the live checks hold.
void enforce_quotas(RestoreReport& rep) {
    int others = 0;
    for (int i = 0; i < DS_NR_KEYS; ++i) {
        Entry& e = new_entries[i];
        if (!(e.flags & DSF_IN_USE) || str::eq(e.owner, RS_LABEL)) continue;
        int keys = 0;
        std::uint32_t bytes = 0;
        for (int j = 0; j < i; ++j) {
            const Entry& o = new_entries[j];
            if (!(o.flags & DSF_IN_USE) || !str::eq(o.owner, e.owner)) continue;
            keys++;
            bytes += o.mem_len;
        }
        const char* why = nullptr;
        if (keys >= DS_OWNER_KEYS)
            why = "its owner has more entries than its quota";
        else if (bytes + e.mem_len > static_cast<std::uint32_t>(DS_OWNER_BYTES))
            why = "its owner holds more bytes than its quota";
        else if (others >= DS_NR_KEYS - DS_RS_RESERVED)
            why = "it would take one of the entries kept for RS";
        if (why) {
            drop_entry(rep, static_cast<std::uint32_t>(i), e.key, why);
            e = Entry{};
            continue;
        }
        others++;
    }
}

}  // namespace

std::size_t state_save(void* buf, std::size_t len) {
    const Entry* entries = store_entries();
    const Subscription* subs = store_subscriptions();
    auto* out = static_cast<std::uint8_t*>(buf);
    std::size_t at = sizeof(StateHeader);
    StateHeader h{STATE_MAGIC, sizeof(EntryRecord), sizeof(SubRecord), 0, 0, 0};
    if (len < at) return 0;
    for (int i = 0; i < DS_NR_KEYS; ++i) {
        const Entry& e = entries[i];
        if (!(e.flags & DSF_IN_USE)) continue;
        // The live length is bounded by every handler; a wild one (memory
        // corruption) is written as it is, and the restore refuses it.
        const std::uint32_t copy = e.mem_len <= DS_MAX_MEMLEN ? e.mem_len : 0;
        if (at + sizeof(EntryRecord) + state_pad8(copy) > len) return 0;
        EntryRecord r{};
        r.index = static_cast<std::uint32_t>(i);
        r.flags = e.flags;
        r.u32 = e.u32;
        r.mem_len = e.mem_len;
        str::mem_copy(r.key, e.key, sizeof r.key);
        str::mem_copy(r.owner, e.owner, sizeof r.owner);
        str::mem_copy(out + at, &r, sizeof r);
        at += sizeof r;
        str::mem_copy(out + at, e.mem, copy);
        for (std::size_t k = copy; k < state_pad8(copy); ++k) out[at + k] = 0;
        at += state_pad8(copy);
        h.nr_entries++;
    }
    for (int i = 0; i < DS_NR_SUBS; ++i) {
        const Subscription& s = subs[i];
        if (!(s.flags & DSF_IN_USE)) continue;
        if (at + sizeof(SubRecord) > len) return 0;
        SubRecord r{};
        r.flags = s.flags;
        r.changed = s.changed;
        str::mem_copy(r.owner, s.owner, sizeof r.owner);
        str::mem_copy(r.regex, s.regex, sizeof r.regex);
        str::mem_copy(out + at, &r, sizeof r);
        at += sizeof r;
        h.nr_subs++;
    }
    h.bytes = static_cast<std::uint32_t>(at);
    str::mem_copy(out, &h, sizeof h);
    return at;
}

int state_load(const void* buf, std::size_t len, endpoint_t self, RestoreReport* report) {
    RestoreReport rep;
    const auto* in = static_cast<const std::uint8_t*>(buf);
    StateHeader h{};
    if (!buf || len < sizeof h) {
        log_printf("ds: the saved store is %zu bytes, too short for its header\n", len);
        return -EINVAL;
    }
    str::mem_copy(&h, in, sizeof h);
    if (h.magic != STATE_MAGIC || h.entry_size != sizeof(EntryRecord) ||
        h.sub_size != sizeof(SubRecord)) {
        log_printf("ds: the saved store has another layout (magic %x, records %u/%u)\n", h.magic,
                   h.entry_size, h.sub_size);
        return -EINVAL;
    }
    if (h.bytes > len || h.bytes < sizeof h || h.nr_entries > DS_NR_KEYS ||
        h.nr_subs > DS_NR_SUBS) {
        log_printf(
            "ds: the saved store's header is damaged (%u bytes of %zu, %u entries, %u "
            "subscriptions)\n",
            h.bytes, len, h.nr_entries, h.nr_subs);
        return -EINVAL;
    }
    const std::size_t end = h.bytes;

    for (Entry& e : new_entries) e = Entry{};
    for (Subscription& s : new_subs) s = Subscription{};
    std::size_t at = sizeof h;
    std::uint32_t i = 0;
    static std::uint8_t value[DS_MAX_MEMLEN];
    for (; i < h.nr_entries; ++i) {
        EntryRecord r{};
        if (at + sizeof r > end) break;
        str::mem_copy(&r, in + at, sizeof r);
        at += sizeof r;
        // A value length the stream cannot hold makes the rest unreadable.
        const bool mem = r.flags & (DSF_TYPE_STR | DSF_TYPE_MEM);
        const std::uint32_t vlen = mem ? r.mem_len : 0;
        if (vlen > static_cast<std::uint32_t>(DS_MAX_MEMLEN) || at + state_pad8(vlen) > end) {
            drop_entry(rep, r.index, terminated(r.key, sizeof r.key) ? r.key : nullptr,
                       "value length beyond the stream: the rest is unreadable");
            i++;
            break;
        }
        str::mem_copy(value, in + at, vlen);
        at += state_pad8(vlen);
        const bool key_ok = terminated(r.key, sizeof r.key);
        if (const char* why = bad_entry(r, value)) {
            drop_entry(rep, r.index, key_ok ? r.key : nullptr, why);
            continue;
        }
        Entry& e = new_entries[r.index];
        const char* dup = nullptr;
        if (e.flags & DSF_IN_USE) dup = "its slot is taken twice";
        const int type = r.flags & DSF_MASK_TYPE;
        for (const Entry& o : new_entries) {
            if (dup) break;
            if (!(o.flags & DSF_IN_USE)) continue;
            if ((o.flags & type) && str::eq(o.key, r.key)) dup = "a duplicate key";
            if (type == DSF_TYPE_LABEL && (o.flags & DSF_TYPE_LABEL) && o.u32 == r.u32)
                dup = "a duplicate label value";
        }
        // A label for DS itself would make another name DS's identity.
        if (!dup && type == DSF_TYPE_LABEL && static_cast<endpoint_t>(r.u32) == self &&
            !str::eq(r.key, "ds"))
            dup = "a label for DS's own endpoint";
        if (dup) {
            drop_entry(rep, r.index, r.key, dup);
            continue;
        }
        e.flags = r.flags;
        str::copy(e.key, r.key, sizeof e.key);
        str::copy(e.owner, r.owner, sizeof e.owner);
        e.u32 = r.u32;
        e.mem_len = vlen;
        str::mem_copy(e.mem, value, vlen);
    }
    if (i < h.nr_entries) {
        log_printf("ds: %u saved entries unreadable (the stream ends early)\n", h.nr_entries - i);
        rep.dropped_entries += static_cast<int>(h.nr_entries - i);
    }
    enforce_quotas(rep);

    std::uint64_t in_use = 0;
    for (int k = 0; k < DS_NR_KEYS; ++k)
        if (new_entries[k].flags & DSF_IN_USE) in_use |= std::uint64_t{1} << k;
    // Subscriptions come after every entry record; entry damage that stopped
    // the reading above leaves their place unknown.
    std::uint32_t nsubs = 0;
    const bool subs_readable = i == h.nr_entries;
    for (std::uint32_t k = 0; subs_readable && k < h.nr_subs; ++k) {
        SubRecord r{};
        if (at + sizeof r > end) break;
        str::mem_copy(&r, in + at, sizeof r);
        at += sizeof r;
        const char* why = bad_sub(r);
        for (std::uint32_t j = 0; !why && j < nsubs; ++j)
            if (str::eq(new_subs[j].owner, r.owner)) why = "a second subscription of its owner";
        if (why) {
            log_printf("ds: restored subscription of %s dropped: %s\n",
                       terminated(r.owner, sizeof r.owner) ? r.owner : "an unreadable label", why);
            rep.dropped_subs++;
            continue;
        }
        Subscription& s = new_subs[nsubs++];
        s.flags = r.flags;
        str::copy(s.owner, r.owner, sizeof s.owner);
        str::copy(s.regex, r.regex, sizeof s.regex);
        // Only entries that exist can have changed.
        s.changed = r.changed & in_use;
    }
    const std::uint32_t read_subs = nsubs + static_cast<std::uint32_t>(rep.dropped_subs);
    if (read_subs < h.nr_subs) {
        log_printf("ds: %u saved subscriptions unreadable\n", h.nr_subs - read_subs);
        rep.dropped_subs += static_cast<int>(h.nr_subs - read_subs);
    }

    Entry* entries = detail::entries_mut();
    Subscription* subs = detail::subs_mut();
    for (int k = 0; k < DS_NR_KEYS; ++k) {
        entries[k] = new_entries[k];
        rep.entries += (entries[k].flags & DSF_IN_USE) ? 1 : 0;
    }
    for (int k = 0; k < DS_NR_SUBS; ++k) subs[k] = new_subs[k];
    rep.subs = static_cast<int>(nsubs);
    detail::set_self(self);
    detail::touch();
    if (report) *report = rep;
    return OK;
}

}  // namespace umk::ds
