// DS's state transfer (servers/ds/state.cc): the store written as a
// checkpoint stream and read back into a fresh DS, which must behave as the
// old one did (values, owners, flags, subscriptions and their pending
// changes, quotas); and streams damaged in every way the restore checks,
// each damaged record dropped with its reason in the log, never trusted.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "fake_sys.h"
#include "state.h"
#include "store.h"
#include "umk/err.h"
#include "umklib/ds.h"
#include "umklib/ipc.h"

namespace {

using namespace umk;

constexpr endpoint_t RS = 2;
constexpr endpoint_t ALPHA = 100;
constexpr endpoint_t BETA = 101;

// Copies src into a field of cap bytes, NUL-padded; a src of cap or more
// bytes leaves the field unterminated (to damage it on purpose).
void put(char* dst, std::size_t cap, const std::string& src) {
    std::memset(dst, 0, cap);
    std::memcpy(dst, src.data(), src.size() < cap ? src.size() : cap);
}

std::vector<std::uint8_t> save() {
    std::vector<std::uint8_t> buf(ds::STATE_MAX_BYTES);
    std::size_t n = ds::state_save(buf.data(), buf.size());
    EXPECT_GT(n, sizeof(ds::StateHeader));
    buf.resize(n);
    return buf;
}

int load(const std::vector<std::uint8_t>& buf, ds::RestoreReport* rep = nullptr) {
    ds::RestoreReport local;
    return ds::state_load(buf.data(), buf.size(), DS_PROC_NR, rep ? rep : &local);
}

// A stream built record by record, to damage exactly one field.
struct Stream {
    struct E {
        ds::EntryRecord r;
        std::vector<std::uint8_t> value;
    };
    std::vector<E> entries;
    std::vector<ds::SubRecord> subs;

    ds::EntryRecord& add_u32(std::uint32_t index, const char* key, const char* owner,
                             std::uint32_t v, int type = DSF_TYPE_U32) {
        E e{};
        e.r.index = index;
        e.r.flags = DSF_IN_USE | type;
        e.r.u32 = v;
        put(e.r.key, sizeof e.r.key, key);
        put(e.r.owner, sizeof e.r.owner, owner);
        entries.push_back(e);
        return entries.back().r;
    }
    ds::EntryRecord& add_mem(std::uint32_t index, const char* key, const char* owner,
                             std::size_t len, int type = DSF_TYPE_MEM) {
        E e{};
        e.r.index = index;
        e.r.flags = DSF_IN_USE | type;
        e.r.mem_len = static_cast<std::uint32_t>(len);
        put(e.r.key, sizeof e.r.key, key);
        put(e.r.owner, sizeof e.r.owner, owner);
        e.value.assign(len, 'v');
        if (type == DSF_TYPE_STR && len) e.value[len - 1] = '\0';
        entries.push_back(e);
        return entries.back().r;
    }
    ds::SubRecord& add_sub(const char* owner, const char* regex, int types = DSF_MASK_TYPE,
                           std::uint64_t changed = 0) {
        ds::SubRecord s{};
        s.flags = DSF_IN_USE | types;
        s.changed = changed;
        put(s.owner, sizeof s.owner, owner);
        put(s.regex, sizeof s.regex, regex);
        subs.push_back(s);
        return subs.back();
    }
    std::vector<std::uint8_t> bytes() const {
        std::vector<std::uint8_t> out(sizeof(ds::StateHeader));
        for (const E& e : entries) {
            const auto* p = reinterpret_cast<const std::uint8_t*>(&e.r);
            out.insert(out.end(), p, p + sizeof e.r);
            std::vector<std::uint8_t> v = e.value;
            v.resize(ds::state_pad8(v.size()), 0);
            out.insert(out.end(), v.begin(), v.end());
        }
        for (const ds::SubRecord& s : subs) {
            const auto* p = reinterpret_cast<const std::uint8_t*>(&s);
            out.insert(out.end(), p, p + sizeof s);
        }
        ds::StateHeader h{ds::STATE_MAGIC,
                          sizeof(ds::EntryRecord),
                          sizeof(ds::SubRecord),
                          static_cast<std::uint32_t>(entries.size()),
                          static_cast<std::uint32_t>(subs.size()),
                          static_cast<std::uint32_t>(out.size())};
        std::memcpy(out.data(), &h, sizeof h);
        return out;
    }
};

class DsState : public ::testing::Test {
  protected:
    void SetUp() override {
        fake::reset();
        ds::store_init(DS_PROC_NR, RS);
        fake::route(DS_PROC_NR, [](message& m) { return ds::handle_request(m); });
        as(RS);
        ASSERT_EQ(ds_publish_label("alpha", ALPHA, 0), OK);
        ASSERT_EQ(ds_publish_label("beta", BETA, 0), OK);
        as(ALPHA);
    }
    static void as(endpoint_t ep) { fake::set_self(ep); }
    static int in_use() {
        int n = 0;
        for (int i = 0; i < DS_NR_KEYS; i++) n += (ds::store_entries()[i].flags & DSF_IN_USE) != 0;
        return n;
    }
    static const ds::Entry* find(const char* key) {
        for (int i = 0; i < DS_NR_KEYS; i++) {
            const ds::Entry& e = ds::store_entries()[i];
            if ((e.flags & DSF_IN_USE) && std::strcmp(e.key, key) == 0) return &e;
        }
        return nullptr;
    }
    static bool logged(const std::string& what) {
        return fake::log().find(what) != std::string::npos;
    }
    // The store's content as comparable bytes (entries and subscriptions in use).
    static std::string snapshot() {
        std::string s;
        for (int i = 0; i < DS_NR_KEYS; i++) {
            const ds::Entry& e = ds::store_entries()[i];
            if (!(e.flags & DSF_IN_USE)) continue;
            s += std::to_string(i) + ":" + std::to_string(e.flags) + ":" + e.key + ":" + e.owner +
                 ":" + std::to_string(e.u32) + ":" +
                 std::string(reinterpret_cast<const char*>(e.mem), e.mem_len) + ";";
        }
        for (int i = 0; i < DS_NR_SUBS; i++) {
            const ds::Subscription& x = ds::store_subscriptions()[i];
            if (!(x.flags & DSF_IN_USE)) continue;
            s += std::string("sub:") + std::to_string(x.flags) + ":" + x.owner + ":" + x.regex +
                 ":" + std::to_string(x.changed) + ";";
        }
        return s;
    }
};

TEST_F(DsState, RoundTripKeepsTheWholeStore) {
    ASSERT_EQ(ds_publish_u32("count", 42, DSF_PRIV_RETRIEVE), OK);
    ASSERT_EQ(ds_publish_str("name", "alpha's", 0), OK);
    const char mem[] = {1, 2, 3, 0, 5};
    ASSERT_EQ(ds_publish_mem("blob", mem, sizeof mem, DSF_PRIV_SUBSCRIBE), OK);
    as(BETA);
    ASSERT_EQ(ds_subscribe("count|name|late", DSF_INITIAL), OK);  // two pending changes
    char key[DS_MAX_KEYLEN];
    int type = 0;
    ASSERT_EQ(ds_check(key, &type), OK);  // one of them checked
    const std::string before = snapshot();
    std::vector<std::uint8_t> buf = save();

    // A new DS: empty, then the stream.
    ds::store_init(DS_PROC_NR, RS);
    ASSERT_NE(snapshot(), before);
    ds::RestoreReport rep;
    ASSERT_EQ(load(buf, &rep), OK);
    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(rep.entries, 6);  // rs, alpha, beta, count, name, blob
    EXPECT_EQ(rep.subs, 1);
    EXPECT_EQ(rep.dropped_entries + rep.dropped_subs, 0);

    // It behaves as the old one: the pending change, owners, privacy.
    ASSERT_EQ(ds_check(key, &type), OK);
    EXPECT_STREQ(key, "name");
    EXPECT_EQ(ds_check(key, &type), -ENOENT);
    std::uint32_t v = 0;
    EXPECT_EQ(ds_retrieve_u32("count", &v), -EPERM);  // DSF_PRIV_RETRIEVE: alpha's only
    EXPECT_EQ(ds_publish_u32("count", 1, DSF_OVERWRITE), -EPERM);
    as(ALPHA);
    EXPECT_EQ(ds_retrieve_u32("count", &v), OK);
    EXPECT_EQ(v, 42u);
    char str[16];
    EXPECT_EQ(ds_retrieve_str("name", str, sizeof str - 1), OK);
    EXPECT_STREQ(str, "alpha's");
    // The subscription still works: a new match is reported to beta.
    int before_notifies = static_cast<int>(fake::notifies().size());
    EXPECT_EQ(ds_publish_u32("late", 1, 0), OK);
    EXPECT_EQ(static_cast<int>(fake::notifies().size()), before_notifies + 1);
    EXPECT_EQ(fake::notifies().back().to, BETA);
}

TEST_F(DsState, QuotasHoldAfterARestore) {
    for (int i = 0; i < DS_OWNER_KEYS; i++)
        ASSERT_EQ(ds_publish_u32(("k" + std::to_string(i)).c_str(), 1, 0), OK);
    std::vector<std::uint8_t> buf = save();
    ds::store_init(DS_PROC_NR, RS);
    ASSERT_EQ(load(buf), OK);
    EXPECT_EQ(ds_publish_u32("onemore", 1, 0), -ENOMEM);
    EXPECT_EQ(ds_publish_u32("k0", 2, DSF_OVERWRITE), OK);
}

TEST_F(DsState, ChangesAreCountedOnlyWhenTheStoreChanges) {
    std::uint64_t c = ds::store_changes();
    ASSERT_EQ(ds_publish_u32("x", 1, 0), OK);
    EXPECT_GT(ds::store_changes(), c);
    c = ds::store_changes();
    EXPECT_EQ(ds_publish_u32("x", 2, 0), -EEXIST);  // a failed request leaves no trace
    std::uint32_t v = 0;
    EXPECT_EQ(ds_retrieve_u32("x", &v), OK);  // nor does a read
    EXPECT_EQ(ds::store_changes(), c);
    EXPECT_EQ(ds_take_u32("x", &v), OK);  // a take deletes
    EXPECT_GT(ds::store_changes(), c);
    c = ds::store_changes();
    as(BETA);
    EXPECT_EQ(ds_subscribe("y", 0), OK);
    EXPECT_GT(ds::store_changes(), c);
}

TEST_F(DsState, ADamagedHeaderLeavesTheStoreUntouched) {
    ASSERT_EQ(ds_publish_u32("keep", 7, 0), OK);
    const std::string before = snapshot();
    std::vector<std::uint8_t> good = save();
    auto damaged = [&](auto edit) {
        std::vector<std::uint8_t> b = good;
        ds::StateHeader h;
        std::memcpy(&h, b.data(), sizeof h);
        edit(h);
        std::memcpy(b.data(), &h, sizeof h);
        return b;
    };
    EXPECT_EQ(load(damaged([](ds::StateHeader& h) { h.magic ^= 1; })), -EINVAL);
    EXPECT_EQ(load(damaged([](ds::StateHeader& h) { h.entry_size += 8; })), -EINVAL);
    EXPECT_EQ(load(damaged([](ds::StateHeader& h) { h.bytes += 1; })), -EINVAL);  // beyond len
    EXPECT_EQ(load(damaged([](ds::StateHeader& h) { h.nr_entries = DS_NR_KEYS + 1; })), -EINVAL);
    EXPECT_EQ(load(damaged([](ds::StateHeader& h) { h.nr_subs = DS_NR_SUBS + 1; })), -EINVAL);
    std::vector<std::uint8_t> tiny(3);
    EXPECT_EQ(load(tiny), -EINVAL);
    EXPECT_EQ(snapshot(), before);
    EXPECT_TRUE(logged("another layout"));
    EXPECT_TRUE(logged("header is damaged"));
}

TEST_F(DsState, EachDamagedEntryIsDroppedWithItsReason) {
    Stream s;
    s.add_u32(0, "rs", "rs", RS, DSF_TYPE_LABEL);
    s.add_u32(1, "good", "alpha", 1);
    put(s.add_u32(2, "x", "alpha", 1).key, DS_MAX_KEYLEN,
        std::string(DS_MAX_KEYLEN, 'k'));  // no NUL
    s.add_u32(3, "", "alpha", 1);          // empty key
    s.add_u32(4, "noowner", "", 1);        // empty owner
    s.add_u32(5, "twotypes", "alpha", 1, DSF_TYPE_U32 | DSF_TYPE_LABEL);
    s.add_u32(6, "map", "alpha", 1, DSF_TYPE_MAP);               // not supported
    s.add_u32(7, "unknownflag", "alpha", 1).flags |= 0x4000000;  // outside the mask
    s.add_u32(DS_NR_KEYS, "farslot", "alpha", 1);                // slot out of range
    s.add_u32(1, "sameslot", "alpha", 1);                        // slot 1 again
    s.add_u32(9, "good", "beta", 2);                             // duplicate key and type
    s.add_u32(10, "good", "alpha", 3, DSF_TYPE_LABEL);           // same key, other type: fine
    s.add_u32(11, "dup_value", "rs", 3, DSF_TYPE_LABEL);         // label value taken
    s.add_u32(12, "fake_ds", "rs", DS_PROC_NR, DSF_TYPE_LABEL);  // names DS's endpoint
    s.add_u32(13, "numlen", "alpha", 1).mem_len = 4;             // a number with a length
    s.add_mem(14, "str", "alpha", 5, DSF_TYPE_STR).flags |= 0;   // fine
    s.entries.back().value[4] = 'x';                             // ... now unterminated
    s.add_mem(15, "okstr", "alpha", 3, DSF_TYPE_STR);
    s.add_u32(16, "notinuse", "alpha", 1).flags &= ~DSF_IN_USE;
    ds::RestoreReport rep;
    ASSERT_EQ(load(s.bytes(), &rep), OK);
    EXPECT_EQ(rep.entries, 4) << fake::log();  // rs, good (u32), good (label), okstr
    EXPECT_EQ(rep.dropped_entries, 14);
    ASSERT_NE(find("good"), nullptr);
    EXPECT_EQ(ds::store_entries()[1].u32, 1u);
    EXPECT_STREQ(ds::store_entries()[1].owner, "alpha");
    EXPECT_NE(ds::store_entries()[15].flags & DSF_IN_USE, 0);
    for (const char* why : {"key not terminated", "empty key", "owner label not terminated",
                            "not exactly one known type", "unknown flags", "slot out of range",
                            "its slot is taken twice", "a duplicate key", "a duplicate label value",
                            "a label for DS's own endpoint", "a number with a value length",
                            "string not terminated", "not in use"})
        EXPECT_TRUE(logged(why)) << why << "\n" << fake::log();
    // The store is usable, and no dropped key came in.
    EXPECT_EQ(find("twotypes"), nullptr);
    EXPECT_EQ(find("fake_ds"), nullptr);
    std::uint32_t v = 0;
    EXPECT_EQ(ds_retrieve_u32("good", &v), OK);
    as(RS);
    EXPECT_EQ(ds_publish_u32("new", 1, 0), OK);
}

TEST_F(DsState, AValueLengthBeyondTheStreamDropsTheRest) {
    Stream s;
    s.add_u32(0, "rs", "rs", RS, DSF_TYPE_LABEL);
    s.add_u32(1, "first", "alpha", 1);
    s.add_mem(2, "wild", "alpha", 8).mem_len = DS_MAX_MEMLEN + 1;
    s.add_u32(3, "after", "alpha", 1);
    s.add_sub("beta", "^(first)$");
    ds::RestoreReport rep;
    ASSERT_EQ(load(s.bytes(), &rep), OK);
    EXPECT_EQ(rep.entries, 2);
    EXPECT_EQ(rep.dropped_entries, 2);  // wild and after
    EXPECT_EQ(rep.dropped_subs, 1);     // its place is unknown
    EXPECT_EQ(find("after"), nullptr);
    EXPECT_TRUE(logged("the rest is unreadable"));
}

TEST_F(DsState, QuotasAreRecomputedAndEnforced) {
    Stream s;
    s.add_u32(0, "rs", "rs", RS, DSF_TYPE_LABEL);
    // Ten entries of one owner: the last two go.
    for (int i = 0; i < 10; i++) s.add_u32(1 + i, ("k" + std::to_string(i)).c_str(), "alpha", 1);
    // Three full values of another: the third exceeds its bytes.
    for (int i = 0; i < 3; i++)
        s.add_mem(11 + i, ("m" + std::to_string(i)).c_str(), "beta", DS_MAX_MEMLEN);
    ds::RestoreReport rep;
    ASSERT_EQ(load(s.bytes(), &rep), OK);
    EXPECT_EQ(rep.dropped_entries, 3);
    EXPECT_NE(find("k7"), nullptr);
    EXPECT_EQ(find("k8"), nullptr);
    EXPECT_EQ(find("k9"), nullptr);
    EXPECT_EQ(find("m2"), nullptr);
    EXPECT_TRUE(logged("more entries than its quota"));
    EXPECT_TRUE(logged("more bytes than its quota"));

    // Many owners may not take RS's reserve.
    Stream t;
    t.add_u32(0, "rs", "rs", RS, DSF_TYPE_LABEL);
    for (int i = 1; i < DS_NR_KEYS; i++)
        t.add_u32(i, ("h" + std::to_string(i)).c_str(), ("o" + std::to_string(i % 10)).c_str(), 1);
    ASSERT_EQ(load(t.bytes(), &rep), OK);
    EXPECT_EQ(rep.entries, 1 + DS_NR_KEYS - DS_RS_RESERVED);
    EXPECT_TRUE(logged("kept for RS"));
    as(RS);
    EXPECT_EQ(ds_publish_label("service", 300, 0), OK);
}

TEST_F(DsState, DamagedSubscriptionsAreDroppedAndChangesMasked) {
    Stream s;
    s.add_u32(0, "rs", "rs", RS, DSF_TYPE_LABEL);
    s.add_u32(1, "alpha", "rs", ALPHA, DSF_TYPE_LABEL);
    s.add_u32(2, "beta", "rs", BETA, DSF_TYPE_LABEL);
    s.add_u32(3, "k", "alpha", 1);
    // Pending: entry 3 (exists) and 40 (does not): only 3 stays.
    s.add_sub("beta", "^(k)$", DSF_MASK_TYPE, (std::uint64_t{1} << 3) | (std::uint64_t{1} << 40));
    s.add_sub("beta", "^(other)$");               // a second one of beta
    s.add_sub("alpha", "k");                      // not anchored
    s.add_sub("gamma", "^(a{2})$");               // does not compile (no bounds)
    s.add_sub("delta", "^(d)$", 0);               // no type
    s.add_sub("eps", "^(e)$").flags |= 0x100000;  // unknown flag
    put(s.add_sub("zeta", "^(z)$").regex, DS_MAX_KEYLEN + 4,
        std::string(DS_MAX_KEYLEN + 4, 'r'));  // unterminated
    ds::RestoreReport rep;
    ASSERT_EQ(load(s.bytes(), &rep), OK);
    EXPECT_EQ(rep.subs, 1);
    EXPECT_EQ(rep.dropped_subs, 6);
    for (const char* why :
         {"a second subscription", "pattern not anchored", "pattern does not compile", "no type",
          "unknown flags", "pattern not terminated"})
        EXPECT_TRUE(logged(why)) << why;
    as(BETA);
    char key[DS_MAX_KEYLEN];
    int type;
    EXPECT_EQ(ds_check(key, &type), OK);
    EXPECT_STREQ(key, "k");
    EXPECT_EQ(ds_check(key, &type), -ENOENT);
}

TEST_F(DsState, PendingChangesAreNotifiedAgain) {
    as(BETA);
    ASSERT_EQ(ds_subscribe("k", 0), OK);
    as(ALPHA);
    ASSERT_EQ(ds_publish_u32("k", 1, 0), OK);
    std::vector<std::uint8_t> buf = save();
    ds::store_init(DS_PROC_NR, RS);
    ASSERT_EQ(load(buf), OK);
    fake::notifies().clear();
    ds::detail::notify_pending();
    ASSERT_EQ(fake::notifies().size(), 1u);
    EXPECT_EQ(fake::notifies()[0].to, BETA);
}

TEST_F(DsState, RsLabelIsEnsured) {
    Stream s;
    s.add_u32(1, "old", "rs", 77, DSF_TYPE_LABEL);  // a stale label with RS's new endpoint
    ASSERT_EQ(load(s.bytes()), OK);
    ASSERT_EQ(ds::store_ensure_rs_label(77), OK);
    const ds::Entry* rs = find("rs");
    ASSERT_NE(rs, nullptr);
    EXPECT_EQ(rs->u32, 77u);
    EXPECT_EQ(find("old"), nullptr);
    as(77);
    EXPECT_EQ(ds_publish_label("svc", 300, 0), OK);  // RS is known again
}

// Random damage anywhere in a full stream: the restore never trusts it
// (every kept entry is well formed) and DS stays usable.
TEST_F(DsState, RandomDamageNeverYieldsABadStore) {
    for (int i = 0; i < DS_OWNER_KEYS; i++)
        ASSERT_EQ(ds_publish_str(("s" + std::to_string(i)).c_str(), "value", 0), OK);
    as(BETA);
    ASSERT_EQ(ds_subscribe("s.*", DSF_INITIAL), OK);
    const std::vector<std::uint8_t> good = save();
    std::mt19937 rng(11);
    for (int round = 0; round < 3000; round++) {
        std::vector<std::uint8_t> b = good;
        int flips = 1 + static_cast<int>(rng() % 8);
        for (int f = 0; f < flips; f++)
            b[rng() % b.size()] ^= static_cast<std::uint8_t>(1 + rng() % 255);
        if (rng() % 4 == 0) b.resize(rng() % b.size());
        fake::log().clear();
        if (ds::state_load(b.data(), b.size(), DS_PROC_NR, nullptr) != OK) continue;
        int others = 0;
        for (int k = 0; k < DS_NR_KEYS; k++) {
            const ds::Entry& e = ds::store_entries()[k];
            if (!(e.flags & DSF_IN_USE)) continue;
            ASSERT_NE(std::memchr(e.key, 0, sizeof e.key), nullptr);
            ASSERT_NE(std::memchr(e.owner, 0, sizeof e.owner), nullptr);
            ASSERT_LE(e.mem_len, static_cast<std::uint32_t>(DS_MAX_MEMLEN));
            int t = e.flags & DSF_MASK_TYPE;
            ASSERT_TRUE(t == DSF_TYPE_U32 || t == DSF_TYPE_STR || t == DSF_TYPE_MEM ||
                        t == DSF_TYPE_LABEL);
            if (std::strcmp(e.owner, "rs") != 0) others++;
        }
        ASSERT_LE(others, DS_NR_KEYS - DS_RS_RESERVED);
        for (int k = 0; k < DS_NR_SUBS; k++) {
            const ds::Subscription& x = ds::store_subscriptions()[k];
            if (!(x.flags & DSF_IN_USE)) continue;
            ASSERT_NE(std::memchr(x.regex, 0, sizeof x.regex), nullptr);
            for (int bit = 0; bit < DS_NR_KEYS; bit++) {
                if (x.changed & (std::uint64_t{1} << bit)) {
                    ASSERT_NE(ds::store_entries()[bit].flags & DSF_IN_USE, 0);
                }
            }
        }
    }
    // The last good stream still restores fully.
    ASSERT_EQ(load(good), OK);
    EXPECT_NE(find("s7"), nullptr);
}

}  // namespace
