// The data store's tables and request handlers.
#include "store.h"

#include "ds_regex.h"
#include "umk/err.h"
#include "umk/str.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/syslib.h"

namespace umk::ds {
namespace {

Entry entries[DS_NR_KEYS];
Subscription subs[DS_NR_SUBS];
endpoint_t ds_self = NONE;

// A value being published is copied here first, so that a failed copy
// leaves an existing entry untouched.
std::uint8_t scratch[DS_MAX_MEMLEN];

// Every change of the store bumps this: DS checkpoints when it moved.
std::uint64_t changes = 0;
void touch() {
    changes++;
}

constexpr int type_of(int flags) {
    return flags & DSF_MASK_TYPE;
}

bool is_supported_type(int type) {
    return type == DSF_TYPE_U32 || type == DSF_TYPE_STR || type == DSF_TYPE_MEM ||
           type == DSF_TYPE_LABEL;
}

// -ENOSYS for MAP (no mmap on umk), -EINVAL for anything but exactly one type.
int check_type(int type) {
    if (type == DSF_TYPE_MAP) return -ENOSYS;
    return is_supported_type(type) ? OK : -EINVAL;
}

Entry* lookup_entry(const char* key, int type) {
    for (Entry& e : entries) {
        if ((e.flags & DSF_IN_USE) && (e.flags & type) && str::eq(e.key, key)) return &e;
    }
    return nullptr;
}

Entry* lookup_label_value(std::uint32_t value) {
    for (Entry& e : entries) {
        if ((e.flags & DSF_IN_USE) && (e.flags & DSF_TYPE_LABEL) && e.u32 == value) return &e;
    }
    return nullptr;
}

Entry* alloc_entry() {
    for (Entry& e : entries) {
        if (!(e.flags & DSF_IN_USE)) return &e;
    }
    return nullptr;
}

// The label that may use every entry and needs them: RS publishes every
// service's label, so `service up` must never find the store full.
constexpr const char* RS_LABEL = "rs";

int free_entries() {
    int n = 0;
    for (const Entry& e : entries) n += !(e.flags & DSF_IN_USE);
    return n;
}

// OK, or -ENOMEM if `owner` may not hold one more entry (`adding`) with
// `bytes` of value instead of what `replacing` (its own entry, or nullptr)
// holds. Quotas (umklib/ds.h) bound every owner but RS.
int check_quota(const char* owner, bool adding, std::uint32_t bytes, const Entry* replacing) {
    if (str::eq(owner, RS_LABEL)) return OK;
    int keys = 0;
    std::uint32_t held = 0;
    for (const Entry& e : entries) {
        if (!(e.flags & DSF_IN_USE) || !str::eq(e.owner, owner) || &e == replacing) continue;
        keys++;
        held += e.mem_len;
    }
    if (adding && keys >= DS_OWNER_KEYS) {
        log_printf("ds: %s owns %d entries, the most one owner may: ENOMEM\n", owner, keys);
        return -ENOMEM;
    }
    if (adding && free_entries() <= DS_RS_RESERVED) {
        log_printf("ds: %d entries left, kept for RS's labels: ENOMEM for %s\n", free_entries(),
                   owner);
        return -ENOMEM;
    }
    if (held + bytes > static_cast<std::uint32_t>(DS_OWNER_BYTES)) {
        log_printf("ds: %s holds %u bytes; %u more exceed %d: ENOMEM\n", owner, held, bytes,
                   DS_OWNER_BYTES);
        return -ENOMEM;
    }
    return OK;
}

Subscription* lookup_sub(const char* owner) {
    for (Subscription& s : subs) {
        if ((s.flags & DSF_IN_USE) && str::eq(s.owner, owner)) return &s;
    }
    return nullptr;
}

Subscription* alloc_sub() {
    for (Subscription& s : subs) {
        if (!(s.flags & DSF_IN_USE)) return &s;
    }
    return nullptr;
}

// The caller's identity: its label (RS publishes a label entry for every
// service), or "ds" for DS itself; nullptr if DS does not know it.
const char* name_of(endpoint_t ep) {
    if (ep == ds_self) return "ds";
    Entry* e = lookup_label_value(static_cast<std::uint32_t>(ep));
    return e ? e->key : nullptr;
}

endpoint_t endpoint_of(const char* label) {
    if (str::eq(label, "ds")) return ds_self;
    Entry* e = lookup_entry(label, DSF_TYPE_LABEL);
    return e ? static_cast<endpoint_t>(e->u32) : NONE;
}

// May `who` (a label, or nullptr) do what `perm` guards on entry e?
bool authorized(const Entry& e, const char* who, int perm) {
    if (!(e.flags & perm)) return true;
    return who && str::eq(e.owner, who);
}

// Copies the key named by the request into `key` (DS_MAX_KEYLEN bytes).
int get_key(const message& m, char* key) {
    int len = m.DS_KEY_LEN;
    if (len < 2 || len > DS_MAX_KEYLEN) {
        log_printf("ds: bogus key length %d from %d\n", len, m.m_source);
        return -EINVAL;
    }
    int r = sys_safecopyfrom(m.m_source, m.DS_KEY_GRANT, 0, vir_addr(key),
                             static_cast<std::size_t>(len));
    if (r != OK) {
        log_printf("ds: copying the key from %d failed: %d\n", m.m_source, r);
        return r;
    }
    key[len - 1] = '\0';
    return OK;
}

bool sub_matches(const Subscription& s, const Entry& e) {
    if (!(s.flags & e.flags & DSF_MASK_TYPE)) return false;
    if (!authorized(e, s.owner, DSF_PRIV_SUBSCRIBE)) return false;
    Regex re;
    if (regex_compile(s.regex, re) != OK) return false;  // checked at subscribe time
    return regex_search(re, e.key);
}

// An entry was published (set) or is being deleted (!set): mark it for every
// matching subscription and notify the subscriber.
void update_subscribers(const Entry& e, bool set) {
    int nr = static_cast<int>(&e - entries);
    for (Subscription& s : subs) {
        if (!(s.flags & DSF_IN_USE) || !sub_matches(s, e)) continue;
        if (set)
            s.changed |= std::uint64_t{1} << nr;
        else
            s.changed &= ~(std::uint64_t{1} << nr);
        endpoint_t ep = endpoint_of(s.owner);
        if (ep != NONE && ep != ds_self) ipc_notify(ep);
    }
}

}  // namespace

void store_init(endpoint_t self, endpoint_t rs) {
    for (Entry& e : entries) e = Entry{};
    for (Subscription& s : subs) s.flags = 0;
    ds_self = self;
    Entry& e = entries[0];
    str::copy(e.key, "rs", sizeof e.key);
    str::copy(e.owner, "rs", sizeof e.owner);
    e.u32 = static_cast<std::uint32_t>(rs);
    e.flags = DSF_IN_USE | DSF_TYPE_LABEL;
    touch();
}

int store_add_boot_label(const char* name, endpoint_t ep) {
    std::size_t n = str::len(name);
    if (n == 0 || n >= DS_MAX_KEYLEN) return -EINVAL;
    if (lookup_entry(name, DSF_TYPE_LABEL) || lookup_label_value(static_cast<std::uint32_t>(ep)))
        return -EEXIST;
    Entry* e = alloc_entry();
    if (!e) return -ENOMEM;
    str::copy(e->key, name, sizeof e->key);
    str::copy(e->owner, "rs", sizeof e->owner);
    e->u32 = static_cast<std::uint32_t>(ep);
    e->flags = DSF_IN_USE | DSF_TYPE_LABEL;
    touch();
    return OK;
}

void remove_entry(Entry& e);

int store_ensure_rs_label(endpoint_t rs) {
    Entry* e = lookup_entry(RS_LABEL, DSF_TYPE_LABEL);
    if (e && e->u32 == static_cast<std::uint32_t>(rs) && str::eq(e->owner, RS_LABEL)) return OK;
    // Another label with RS's endpoint is stale (its service is gone).
    Entry* other = lookup_label_value(static_cast<std::uint32_t>(rs));
    if (other && other != e) {
        log_printf("ds: label %s had RS's endpoint %d: deleted\n", other->key, rs);
        remove_entry(*other);
    }
    if (!e && !(e = alloc_entry())) {
        log_printf("ds: no entry left for RS's label\n");
        return -ENOMEM;
    }
    str::copy(e->key, RS_LABEL, sizeof e->key);
    str::copy(e->owner, RS_LABEL, sizeof e->owner);
    e->u32 = static_cast<std::uint32_t>(rs);
    e->mem_len = 0;
    e->flags = DSF_IN_USE | DSF_TYPE_LABEL;
    touch();
    return OK;
}

int do_publish(message& m) {
    // A copy: the caller's own label entry may be the one being overwritten.
    char source[DS_MAX_KEYLEN];
    const char* who = name_of(m.m_source);
    if (!who) return -EPERM;
    str::copy(source, who, sizeof source);
    int flags = m.DS_FLAGS;
    int type = type_of(flags);
    int r = check_type(type);
    if (r != OK) return r;

    char key[DS_MAX_KEYLEN];
    if ((r = get_key(m, key)) != OK) return r;

    std::uint32_t len = 0;
    if (type == DSF_TYPE_STR || type == DSF_TYPE_MEM) {
        if (m.DS_VAL_LEN < 0 || m.DS_VAL_LEN > DS_MAX_MEMLEN) {
            log_printf("ds: %s: value of %ld bytes for '%s' exceeds %d\n", source,
                       static_cast<long>(m.DS_VAL_LEN), key, DS_MAX_MEMLEN);
            return -ENOMEM;
        }
        len = static_cast<std::uint32_t>(m.DS_VAL_LEN);
        if (type == DSF_TYPE_STR && len == 0) return -EINVAL;
    }

    Entry* e = lookup_entry(key, type);
    if (!e && type == DSF_TYPE_LABEL) e = lookup_label_value(static_cast<std::uint32_t>(m.DS_VAL));
    if (!e) {
        if ((r = check_quota(source, true, len, nullptr)) != OK) return r;
        if (!(e = alloc_entry())) return -ENOMEM;
    } else if (!(flags & DSF_OVERWRITE)) {
        return -EEXIST;
    } else if (!str::eq(e->owner, source)) {
        // umk: only the publisher's label may overwrite (MINIX asked for
        // DSF_PRIV_OVERWRITE to get this).
        return -EPERM;
    } else if ((r = check_quota(source, false, len, e)) != OK) {
        return r;
    }

    if (len > 0) {
        r = sys_safecopyfrom(m.m_source, static_cast<cp_grant_id_t>(m.DS_VAL), 0, vir_addr(scratch),
                             len);
        if (r != OK) {
            log_printf("ds: publish: copying the value from %d failed: %d\n", m.m_source, r);
            return r;
        }
    }

    // Nothing can fail from here on.
    // A LABEL found by its value changes its key: the old key disappears.
    if ((e->flags & DSF_IN_USE) && !str::eq(e->key, key)) update_subscribers(*e, false);
    switch (type) {
        case DSF_TYPE_U32:
        case DSF_TYPE_LABEL:
            e->u32 = static_cast<std::uint32_t>(m.DS_VAL);
            e->mem_len = 0;  // counts against the owner's bytes
            break;
        default:
            str::mem_copy(e->mem, scratch, len);
            if (type == DSF_TYPE_STR) e->mem[len - 1] = '\0';
            e->mem_len = len;
            break;
    }
    str::copy(e->key, key, sizeof e->key);
    str::copy(e->owner, source, sizeof e->owner);
    e->flags = DSF_IN_USE | (flags & DSF_MASK_INTERNAL);
    update_subscribers(*e, true);
    touch();
    return OK;
}

// Subscribers hear of the deletion first.
void remove_entry(Entry& e) {
    update_subscribers(e, false);
    e.flags = 0;
    e.mem_len = 0;
    touch();
}

namespace {

// RS deleted `label`: the service is gone for good (a restarted one keeps
// its label, and its state with it). What it owned goes too, whatever way it
// died: nothing depends on the dead owner's cooperation.
void reclaim_owner(const char* label) {
    int n = 0;
    for (Entry& e : entries) {
        if (!(e.flags & DSF_IN_USE) || !str::eq(e.owner, label)) continue;
        remove_entry(e);
        n++;
    }
    Subscription* s = lookup_sub(label);
    if (s) {
        s->flags = 0;
        touch();
    }
    if (n > 0 || s)
        log_printf("ds: label %s deleted: %d entries%s freed\n", label, n,
                   s ? " and its subscription" : "");
}

}  // namespace

int do_retrieve(message& m) {
    int type = type_of(m.DS_FLAGS);
    int r = check_type(type);
    if (r != OK) return r;
    char key[DS_MAX_KEYLEN];
    if ((r = get_key(m, key)) != OK) return r;

    Entry* e = lookup_entry(key, type);
    if (!e) return -ESRCH;
    const char* who = name_of(m.m_source);
    if (!authorized(*e, who, DSF_PRIV_RETRIEVE)) return -EPERM;
    // DSF_TAKE: the entry goes once its value has reached the caller, which
    // must be allowed to delete it (its owner).
    const bool take = (m.DS_FLAGS & DSF_TAKE) != 0;
    if (take && !(who && str::eq(e->owner, who))) return -EPERM;

    if (type == DSF_TYPE_U32 || type == DSF_TYPE_LABEL) {
        m.DS_VAL = e->u32;
        if (take) remove_entry(*e);
        return OK;
    }
    std::int64_t want = m.DS_VAL_LEN < 0 ? 0 : m.DS_VAL_LEN;
    std::uint32_t len = want < e->mem_len ? static_cast<std::uint32_t>(want) : e->mem_len;
    if (len > 0) {
        r = sys_safecopyto(m.m_source, static_cast<cp_grant_id_t>(m.DS_VAL), 0, vir_addr(e->mem),
                           len);
        if (r != OK) {
            log_printf("ds: retrieve: copying to %d failed: %d\n", m.m_source, r);
            return r;
        }
    }
    m.DS_VAL_LEN = len;
    if (take) remove_entry(*e);
    return OK;
}

int do_retrieve_label(message& m) {
    Entry* e = lookup_label_value(static_cast<std::uint32_t>(m.DS_VAL));
    if (!e) return -ESRCH;
    std::size_t len = str::len(e->key) + 1;
    if (m.DS_KEY_LEN < static_cast<int>(len)) return -EINVAL;
    int r = sys_safecopyto(m.m_source, m.DS_KEY_GRANT, 0, vir_addr(e->key), len);
    if (r != OK) log_printf("ds: retrieve label: copying to %d failed: %d\n", m.m_source, r);
    return r;
}

int do_subscribe(message& m) {
    const char* owner = name_of(m.m_source);
    if (!owner) return -ESRCH;

    Subscription* s = lookup_sub(owner);
    if (s && !(m.DS_FLAGS & DSF_OVERWRITE)) return -EEXIST;
    if (!s && !(s = alloc_sub())) return -EAGAIN;

    // Anchor the whole expression, so that "a|b" means ^(a|b)$ (MINIX
    // concatenated ^ and $, which anchors only the outer alternatives).
    char pattern[DS_MAX_KEYLEN];
    int r = get_key(m, pattern);
    if (r != OK) return r;
    char anchored[DS_MAX_KEYLEN + 4];
    anchored[0] = '^';
    anchored[1] = '(';
    std::size_t n = str::len(pattern);
    str::mem_copy(anchored + 2, pattern, n);
    anchored[n + 2] = ')';
    anchored[n + 3] = '$';
    anchored[n + 4] = '\0';
    Regex re;
    if (regex_compile(anchored, re) != OK) {
        log_printf("ds: subscribe: bad regular expression '%s' from %s\n", pattern, owner);
        return -EINVAL;
    }

    int types = type_of(m.DS_FLAGS);
    if (types == 0) types = DSF_MASK_TYPE;
    s->flags = DSF_IN_USE | types;
    str::copy(s->owner, owner, sizeof s->owner);
    str::copy(s->regex, anchored, sizeof s->regex);
    s->changed = 0;

    if (m.DS_FLAGS & DSF_INITIAL) {
        for (int i = 0; i < DS_NR_KEYS; i++) {
            if ((entries[i].flags & DSF_IN_USE) && sub_matches(*s, entries[i]))
                s->changed |= std::uint64_t{1} << i;
        }
        if (s->changed) ipc_notify(m.m_source);
    }
    touch();
    return OK;
}

int do_check(message& m) {
    const char* owner = name_of(m.m_source);
    if (!owner) return -ESRCH;
    Subscription* s = lookup_sub(owner);
    if (!s) return -ESRCH;
    if (s->changed == 0) return -ENOENT;
    int i = 0;
    while (!(s->changed & (std::uint64_t{1} << i))) i++;

    const Entry& e = entries[i];
    std::size_t len = str::len(e.key) + 1;
    if (m.DS_KEY_LEN < static_cast<int>(len)) return -EINVAL;
    int r = sys_safecopyto(m.m_source, m.DS_KEY_GRANT, 0, vir_addr(e.key), len);
    if (r != OK) {
        log_printf("ds: check: copying to %d failed: %d\n", m.m_source, r);
        return r;
    }
    m.DS_FLAGS = e.flags & DSF_MASK_TYPE;
    s->changed &= ~(std::uint64_t{1} << i);
    touch();
    return OK;
}

int do_delete(message& m) {
    const char* source = name_of(m.m_source);
    if (!source) return -EPERM;
    int type = type_of(m.DS_FLAGS);
    int r = check_type(type);
    if (r != OK) return r;
    char key[DS_MAX_KEYLEN];
    if ((r = get_key(m, key)) != OK) return r;

    Entry* e = lookup_entry(key, type);
    if (!e) return -ESRCH;
    if (!str::eq(e->owner, source)) return -EPERM;

    const bool label = type == DSF_TYPE_LABEL && str::eq(source, RS_LABEL);
    remove_entry(*e);
    if (label) reclaim_owner(key);
    return OK;
}

int handle_request(message& m) {
    if (is_notify(m.m_type)) {
        // Nobody waits for an answer to a notification: don't reply.
        log_printf("ds: ignoring a notification from %d\n", m.m_source);
        return -EDONTREPLY;
    }
    switch (m.m_type) {
        case DS_PUBLISH:
            return do_publish(m);
        case DS_RETRIEVE:
            return do_retrieve(m);
        case DS_RETRIEVE_LABEL:
            return do_retrieve_label(m);
        case DS_SUBSCRIBE:
            return do_subscribe(m);
        case DS_CHECK:
            return do_check(m);
        case DS_DELETE:
            return do_delete(m);
        case DS_SNAPSHOT:
            return -ENOSYS;
        default:
            log_printf("ds: unknown request 0x%x from %d\n", m.m_type, m.m_source);
            return -EINVAL;
    }
}

const Entry* store_entries() {
    return entries;
}
const Subscription* store_subscriptions() {
    return subs;
}

std::uint64_t store_changes() {
    return changes;
}

namespace detail {
Entry* entries_mut() {
    return entries;
}
Subscription* subs_mut() {
    return subs;
}
void set_self(endpoint_t self) {
    ds_self = self;
}
void touch() {
    ::umk::ds::touch();
}
void notify_pending() {
    for (Subscription& s : subs) {
        if (!(s.flags & DSF_IN_USE) || s.changed == 0) continue;
        endpoint_t ep = endpoint_of(s.owner);
        if (ep != NONE && ep != ds_self) ipc_notify(ep);
    }
}
}  // namespace detail

}  // namespace umk::ds
