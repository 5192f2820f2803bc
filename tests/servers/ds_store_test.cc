// DS through its client library, with DS's handlers running in-process
// behind the fake service library (tests/servers/fake). The MINIX DS test
// suite's scenarios (test/ds/dstest.c, subs.c) come first, then the rules.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "fake_sys.h"
#include "store.h"
#include "umk/err.h"
#include "umklib/ds.h"
#include "umklib/ipc.h"
#include "umklib/syslib.h"

namespace {

using namespace umk;

constexpr endpoint_t RS = 2;
constexpr endpoint_t ALPHA = 100;
constexpr endpoint_t BETA = 101;
constexpr endpoint_t STRANGER = 200;

class Ds : public ::testing::Test {
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
    void TearDown() override { EXPECT_EQ(fake::grants_in_use(), 0) << "the client leaks grants"; }
    static void as(endpoint_t ep) { fake::set_self(ep); }
    static int notifies_to(endpoint_t ep) {
        int n = 0;
        for (auto& x : fake::notifies()) n += x.to == ep;
        return n;
    }
};

// ---- MINIX test/ds/dstest.c ----

TEST_F(Ds, U32PublishRetrieveOverwriteDelete) {
    std::uint32_t v = 0;
    EXPECT_EQ(ds_publish_u32("test_u32", 1234, 0), OK);
    EXPECT_EQ(ds_retrieve_u32("test_u32", &v), OK);
    EXPECT_EQ(v, 1234u);
    EXPECT_EQ(ds_publish_u32("test_u32", 4321, 0), -EEXIST);
    EXPECT_EQ(ds_publish_u32("test_u32", 4321, DSF_OVERWRITE), OK);
    EXPECT_EQ(ds_retrieve_u32("test_u32", &v), OK);
    EXPECT_EQ(v, 4321u);
    EXPECT_EQ(ds_delete_u32("test_u32"), OK);
    EXPECT_EQ(ds_retrieve_u32("test_u32", &v), -ESRCH);
}

TEST_F(Ds, StringRoundTripAndTruncation) {
    char buf[17];
    EXPECT_EQ(ds_publish_str("test_str", "little", 0), OK);
    EXPECT_EQ(ds_retrieve_str("test_str", buf, sizeof buf - 1), OK);
    EXPECT_STREQ(buf, "little");
    EXPECT_EQ(ds_delete_str("test_str"), OK);

    const char* longstring = "verylooooooongstring";
    EXPECT_EQ(ds_publish_str("test_str", longstring, 0), OK);
    std::memset(buf, 'x', sizeof buf);
    EXPECT_EQ(ds_retrieve_str("test_str", buf, sizeof buf - 1), OK);
    EXPECT_EQ(std::string(buf), std::string(longstring, 16));
    EXPECT_EQ(ds_delete_str("test_str"), OK);
}

TEST_F(Ds, MemoryRangeLengths) {
    const char* s1 = "ok, this is a string";
    const char* s2 = "ok, this is a very looooong string";
    char buf[100];
    std::size_t len = sizeof buf;
    EXPECT_EQ(ds_publish_mem("test_mem", s1, std::strlen(s1) + 1, 0), OK);
    EXPECT_EQ(ds_retrieve_mem("test_mem", buf, &len), OK);
    EXPECT_EQ(len, std::strlen(s1) + 1);
    EXPECT_STREQ(buf, s1);
    len = 8;
    EXPECT_EQ(ds_retrieve_mem("test_mem", buf, &len), OK);
    EXPECT_EQ(len, 8u);
    EXPECT_EQ(ds_publish_mem("test_mem", s2, std::strlen(s2) + 1, DSF_OVERWRITE), OK);
    len = sizeof buf;
    EXPECT_EQ(ds_retrieve_mem("test_mem", buf, &len), OK);
    EXPECT_EQ(len, std::strlen(s2) + 1);
    EXPECT_STREQ(buf, s2);
    EXPECT_EQ(ds_delete_mem("test_mem"), OK);
}

TEST_F(Ds, Labels) {
    std::uint32_t num = 0;
    char name[DS_MAX_KEYLEN];
    EXPECT_EQ(ds_publish_label("test_label", 1234, 0), OK);
    EXPECT_EQ(ds_retrieve_label_num("test_label", &num), OK);
    EXPECT_EQ(num, 1234u);
    EXPECT_EQ(ds_publish_label("hello", 1234, 0), -EEXIST);  // same value
    EXPECT_EQ(ds_retrieve_label_name(name, 1234), OK);
    EXPECT_STREQ(name, "test_label");
    EXPECT_EQ(ds_delete_label("test_label"), OK);
    EXPECT_EQ(ds_retrieve_label_name(name, 1234), -ESRCH);
}

TEST_F(Ds, MapEntriesAreNotSupported) {
    message m{};
    m.m_type = DS_RETRIEVE;
    m.DS_FLAGS = DSF_TYPE_MAP;
    EXPECT_EQ(fake::grants_in_use(), 0);
    EXPECT_EQ(ipc_sendrec(DS_PROC_NR, &m), OK);
    EXPECT_EQ(m.m_type, -ENOSYS);
    m.m_type = DS_SNAPSHOT;
    EXPECT_EQ(ipc_sendrec(DS_PROC_NR, &m), OK);
    EXPECT_EQ(m.m_type, -ENOSYS);
}

// ---- MINIX test/ds/subs.c: subscribe with INITIAL, check each change ----

TEST_F(Ds, SubscribeInitialAndCheck) {
    EXPECT_EQ(ds_publish_u32("test_u32", 1, 0), OK);
    as(BETA);
    EXPECT_EQ(ds_subscribe("test_u32", DSF_INITIAL), OK);
    EXPECT_EQ(notifies_to(BETA), 1);  // the current match is reported at once
    char key[DS_MAX_KEYLEN];
    int type = 0;
    EXPECT_EQ(ds_check(key, &type), OK);
    EXPECT_STREQ(key, "test_u32");
    EXPECT_EQ(type, DSF_TYPE_U32);
    EXPECT_EQ(ds_check(key, &type), -ENOENT);

    as(ALPHA);
    EXPECT_EQ(ds_publish_u32("test_u32", 2, DSF_OVERWRITE), OK);
    EXPECT_EQ(notifies_to(BETA), 2);
    EXPECT_EQ(ds_publish_u32("test_u32x", 2, 0), OK);  // anchored: no match
    EXPECT_EQ(notifies_to(BETA), 2);
    as(BETA);
    EXPECT_EQ(ds_check(key, &type), OK);
    std::uint32_t v = 0;
    EXPECT_EQ(ds_retrieve_u32(key, &v), OK);
    EXPECT_EQ(v, 2u);

    // A deletion notifies too; the check then finds nothing (subs prints "deleted").
    as(ALPHA);
    EXPECT_EQ(ds_delete_u32("test_u32"), OK);
    EXPECT_EQ(notifies_to(BETA), 3);
    as(BETA);
    EXPECT_EQ(ds_check(key, &type), -ENOENT);
}

TEST_F(Ds, SubscriptionWithoutInitialReportsOnlyLaterChanges) {
    EXPECT_EQ(ds_publish_u32("k1", 1, 0), OK);
    as(BETA);
    EXPECT_EQ(ds_subscribe("k[0-9]", 0), OK);
    EXPECT_EQ(notifies_to(BETA), 0);
    char key[DS_MAX_KEYLEN];
    int type;
    EXPECT_EQ(ds_check(key, &type), -ENOENT);
}

TEST_F(Ds, SubscriptionTypeFilterAndRegex) {
    as(BETA);
    EXPECT_EQ(ds_subscribe("dev\\..*", DSF_TYPE_U32), OK);
    as(ALPHA);
    EXPECT_EQ(ds_publish_str("dev.a", "x", 0), OK);  // wrong type
    EXPECT_EQ(ds_publish_u32("devXb", 1, 0), OK);    // no match
    EXPECT_EQ(notifies_to(BETA), 0);
    EXPECT_EQ(ds_publish_u32("dev.c", 1, 0), OK);
    EXPECT_EQ(ds_publish_u32("dev.d", 1, 0), OK);
    EXPECT_EQ(notifies_to(BETA), 2);
    as(BETA);
    char key[DS_MAX_KEYLEN];
    int type;
    EXPECT_EQ(ds_check(key, &type), OK);
    EXPECT_STREQ(key, "dev.c");
    EXPECT_EQ(ds_check(key, &type), OK);
    EXPECT_STREQ(key, "dev.d");
    EXPECT_EQ(ds_check(key, &type), -ENOENT);
}

TEST_F(Ds, SubscribeTwiceNeedsOverwriteAndBadRegexIsRejected) {
    as(BETA);
    EXPECT_EQ(ds_subscribe("a", 0), OK);
    EXPECT_EQ(ds_subscribe("b", 0), -EEXIST);
    EXPECT_EQ(ds_subscribe("b", DSF_OVERWRITE), OK);
    EXPECT_EQ(ds_subscribe("(b", DSF_OVERWRITE), -EINVAL);
    as(ALPHA);
    EXPECT_EQ(ds_publish_u32("b", 1, 0), OK);  // the failed overwrite kept "b"
    EXPECT_EQ(notifies_to(BETA), 1);
}

TEST_F(Ds, AlternationIsAnchoredAsAWhole) {
    as(BETA);
    EXPECT_EQ(ds_subscribe("x|y", 0), OK);
    as(ALPHA);
    EXPECT_EQ(ds_publish_u32("xz", 1, 0), OK);  // ^x|y$ would match this
    EXPECT_EQ(notifies_to(BETA), 0);
    EXPECT_EQ(ds_publish_u32("y", 1, 0), OK);
    EXPECT_EQ(notifies_to(BETA), 1);
}

// ---- Ownership and unknown callers ----

TEST_F(Ds, OnlyTheOwnerMayOverwriteOrDelete) {
    EXPECT_EQ(ds_publish_u32("mine", 1, 0), OK);
    as(BETA);
    EXPECT_EQ(ds_publish_u32("mine", 2, 0), -EEXIST);
    EXPECT_EQ(ds_publish_u32("mine", 2, DSF_OVERWRITE), -EPERM);
    EXPECT_EQ(ds_delete_u32("mine"), -EPERM);
    std::uint32_t v = 0;
    EXPECT_EQ(ds_retrieve_u32("mine", &v), OK);  // anyone may read
    EXPECT_EQ(v, 1u);
    EXPECT_EQ(ds_delete_u32("nothere"), -ESRCH);
}

// DSF_TAKE (umk): retrieve and delete in one request, for the owner only; a
// refused take leaves the entry as it was. Subscribers hear of the deletion.
TEST_F(Ds, TakeRetrievesAndDeletesForTheOwnerOnly) {
    EXPECT_EQ(ds_publish_u32("state", 41, 0), OK);
    as(BETA);
    EXPECT_EQ(ds_subscribe("state", 0), OK);
    std::uint32_t v = 0;
    EXPECT_EQ(ds_take_u32("state", &v), -EPERM);  // not the owner
    EXPECT_EQ(v, 0u);
    EXPECT_EQ(ds_retrieve_u32("state", &v), OK);  // still there
    EXPECT_EQ(v, 41u);
    EXPECT_EQ(notifies_to(BETA), 0);
    as(ALPHA);
    v = 0;
    EXPECT_EQ(ds_take_u32("state", &v), OK);
    EXPECT_EQ(v, 41u);
    EXPECT_EQ(notifies_to(BETA), 1);
    EXPECT_EQ(ds_retrieve_u32("state", &v), -ESRCH);
    EXPECT_EQ(ds_take_u32("state", &v), -ESRCH);
    as(STRANGER);
    EXPECT_EQ(ds_take_u32("state", &v), -ESRCH);
    as(ALPHA);
    EXPECT_EQ(ds_publish_u32("state", 1, 0), OK);  // the key is free again
}

TEST_F(Ds, PrivateRetrieveAndSubscribe) {
    EXPECT_EQ(ds_publish_u32("secret", 7, DSF_PRIV_RETRIEVE), OK);
    std::uint32_t v = 0;
    EXPECT_EQ(ds_retrieve_u32("secret", &v), OK);
    as(BETA);
    EXPECT_EQ(ds_retrieve_u32("secret", &v), -EPERM);
    EXPECT_EQ(ds_subscribe("hidden", 0), OK);
    as(ALPHA);
    EXPECT_EQ(ds_publish_u32("hidden", 1, DSF_PRIV_SUBSCRIBE), OK);
    EXPECT_EQ(notifies_to(BETA), 0);
}

TEST_F(Ds, UnknownCallers) {
    as(STRANGER);
    EXPECT_EQ(ds_publish_u32("k", 1, 0), -EPERM);
    EXPECT_EQ(ds_delete_u32("k"), -EPERM);
    EXPECT_EQ(ds_subscribe("k", 0), -ESRCH);
    char key[DS_MAX_KEYLEN];
    int type;
    EXPECT_EQ(ds_check(key, &type), -ESRCH);
    as(ALPHA);
    EXPECT_EQ(ds_check(key, &type), -ESRCH);  // known, but no subscription
}

TEST_F(Ds, OwnershipFollowsTheLabelAcrossARestart) {
    EXPECT_EQ(ds_publish_u32("open_counter", 5, 0), OK);
    as(BETA);
    EXPECT_EQ(ds_subscribe("open_counter", 0), OK);
    // RS restarts alpha: same label, new endpoint.
    constexpr endpoint_t ALPHA2 = ALPHA + 36558;
    as(RS);
    EXPECT_EQ(ds_publish_label("alpha", ALPHA2, 0), -EEXIST);
    EXPECT_EQ(ds_publish_label("alpha", ALPHA2, DSF_OVERWRITE), OK);
    as(ALPHA);  // the old endpoint is nobody now
    EXPECT_EQ(ds_publish_u32("open_counter", 6, DSF_OVERWRITE), -EPERM);
    as(ALPHA2);
    EXPECT_EQ(ds_publish_u32("open_counter", 6, DSF_OVERWRITE), OK);
    EXPECT_EQ(ds_delete_u32("open_counter"), OK);
    EXPECT_EQ(notifies_to(BETA), 2);
}

TEST_F(Ds, SubscriberRestartKeepsItsSubscription) {
    as(BETA);
    EXPECT_EQ(ds_subscribe("k", 0), OK);
    constexpr endpoint_t BETA2 = BETA + 36558;
    as(RS);
    EXPECT_EQ(ds_publish_label("beta", BETA2, DSF_OVERWRITE), OK);
    as(ALPHA);
    EXPECT_EQ(ds_publish_u32("k", 1, 0), OK);
    EXPECT_EQ(notifies_to(BETA2), 1);
    EXPECT_EQ(notifies_to(BETA), 0);
}

// ---- Limits and malformed requests ----

TEST_F(Ds, KeyLengthLimits) {
    std::string k79(79, 'k');
    EXPECT_EQ(ds_publish_u32(k79.c_str(), 1, 0), OK);
    std::string k80(80, 'k');
    EXPECT_EQ(ds_publish_u32(k80.c_str(), 1, 0), -EINVAL);  // 81 bytes with the NUL
    EXPECT_EQ(ds_publish_u32("", 1, 0), -EINVAL);

    // The server checks too, whatever the client sends.
    message m{};
    m.m_type = DS_PUBLISH;
    m.DS_FLAGS = DSF_TYPE_U32;
    m.DS_KEY_LEN = 1;
    EXPECT_EQ(ipc_sendrec(DS_PROC_NR, &m), OK);
    EXPECT_EQ(m.m_type, -EINVAL);
    m.m_type = DS_PUBLISH;
    m.DS_KEY_LEN = DS_MAX_KEYLEN + 1;
    EXPECT_EQ(ipc_sendrec(DS_PROC_NR, &m), OK);
    EXPECT_EQ(m.m_type, -EINVAL);
    m.m_type = DS_PUBLISH;
    m.DS_KEY_LEN = 5;
    m.DS_KEY_GRANT = 12345;  // no such grant
    EXPECT_EQ(ipc_sendrec(DS_PROC_NR, &m), OK);
    EXPECT_LT(m.m_type, 0);
}

TEST_F(Ds, TableFullIsENOMEM) {
    as(RS);        // exempt from the quotas (HostileDs below): only the table bounds it
    int used = 3;  // rs, alpha, beta
    for (int i = 0; i < DS_NR_KEYS - used; i++) {
        ASSERT_EQ(ds_publish_u32(("key" + std::to_string(i)).c_str(), i, 0), OK) << i;
    }
    EXPECT_EQ(ds_publish_u32("onemore", 1, 0), -ENOMEM);
    EXPECT_EQ(ds_delete_u32("key0"), OK);
    EXPECT_EQ(ds_publish_u32("onemore", 1, 0), OK);
}

TEST_F(Ds, ValueSizeLimit) {
    static char big[DS_MAX_MEMLEN + 1];
    EXPECT_EQ(ds_publish_mem("big", big, DS_MAX_MEMLEN, 0), OK);
    EXPECT_EQ(ds_publish_mem("big2", big, DS_MAX_MEMLEN + 1, 0), -ENOMEM);
}

TEST_F(Ds, FailedOverwriteLeavesTheOldValue) {
    EXPECT_EQ(ds_publish_mem("m", "abc", 4, 0), OK);
    message m{};
    char key[] = "m";
    // A publish whose value grant is bogus must not clobber the entry.
    cp_grant_id_t g = cpf_grant_direct(DS_PROC_NR, vir_addr(key), 2, CPF_READ);
    m.m_type = DS_PUBLISH;
    m.DS_KEY_GRANT = g;
    m.DS_KEY_LEN = 2;
    m.DS_FLAGS = DSF_TYPE_MEM | DSF_OVERWRITE;
    m.DS_VAL = 999;
    m.DS_VAL_LEN = 10;
    EXPECT_EQ(ipc_sendrec(DS_PROC_NR, &m), OK);
    EXPECT_LT(m.m_type, 0);
    cpf_revoke(g);
    char buf[8];
    std::size_t len = sizeof buf;
    EXPECT_EQ(ds_retrieve_mem("m", buf, &len), OK);
    EXPECT_EQ(len, 4u);
    EXPECT_STREQ(buf, "abc");
}

TEST_F(Ds, TypesAreSeparateNamespaces) {
    EXPECT_EQ(ds_publish_u32("same", 1, 0), OK);
    EXPECT_EQ(ds_publish_str("same", "one", 0), OK);
    char buf[8];
    EXPECT_EQ(ds_retrieve_str("same", buf, 7), OK);
    EXPECT_STREQ(buf, "one");
    EXPECT_EQ(ds_delete_u32("same"), OK);
    EXPECT_EQ(ds_retrieve_str("same", buf, 7), OK);
}

TEST_F(Ds, NotificationsAndUnknownRequestsAreHandled) {
    message m{};
    m.m_type = umk::notify_from(5);
    m.m_source = ALPHA;
    EXPECT_EQ(ds::handle_request(m), -EDONTREPLY);
    m.m_type = 0x8ff;
    EXPECT_EQ(ds::handle_request(m), -EINVAL);
}

}  // namespace

namespace {

using namespace umk;

TEST_F(Ds, BootServicesAreKnownByTheirNamesFromTheStart) {
    EXPECT_EQ(ds::store_add_boot_label("hello", 40), OK);
    EXPECT_EQ(ds::store_add_boot_label("hello", 41), -EEXIST);
    EXPECT_EQ(ds::store_add_boot_label("other", 40), -EEXIST);
    as(40);
    EXPECT_EQ(ds_publish_u32("dev.hello", 40, DSF_OVERWRITE), OK);
    // RS publishing the label later (OVERWRITE) is an update by the owner "rs".
    as(RS);
    EXPECT_EQ(ds_publish_label("hello", 40, DSF_OVERWRITE), OK);
}

}  // namespace

namespace {

using namespace umk;

// Random requests from known and unknown callers, with real and bogus
// grants: DS answers each with OK or an error and its tables stay sane.
TEST_F(Ds, SurvivesRandomRequests) {
    std::uint32_t seed = 42;
    auto rnd = [&seed] {
        seed = seed * 1664525u + 1013904223u;
        return seed >> 8;
    };
    static char buf[2048];
    for (int i = 0; i < 20000; i++) {
        endpoint_t who = (rnd() % 4 == 0) ? STRANGER : (rnd() % 2 ? ALPHA : BETA);
        as(who);
        for (std::size_t k = 0; k < 96; k++)
            buf[k] = static_cast<char>("ab.*|()[]^$\\x"[rnd() % 13]);
        buf[rnd() % 96] = '\0';
        cp_grant_id_t g =
            cpf_grant_direct(DS_PROC_NR, vir_addr(buf), 1 + rnd() % sizeof buf, rnd() % 4);
        message m{};
        m.m_type = DS_RQ_BASE + static_cast<int>(rnd() % 9);
        m.DS_KEY_GRANT = rnd() % 8 ? g : static_cast<int>(rnd());
        m.DS_KEY_LEN = static_cast<std::int16_t>(rnd() % 100);
        m.DS_FLAGS = static_cast<int>(rnd() % 0x4000);
        m.DS_VAL = rnd() % 2 ? g : static_cast<std::int64_t>(rnd());
        m.DS_VAL_LEN = static_cast<std::int64_t>(rnd() % 3000) - 500;
        int r = ipc_sendrec(DS_PROC_NR, &m);
        cpf_revoke(g);
        ASSERT_EQ(r, OK);
        ASSERT_LE(m.m_type, 0) << "request " << i;  // OK or -Exxx
        ASSERT_GT(m.m_type, -300);
    }
    const ds::Entry* e = ds::store_entries();
    for (int i = 0; i < DS_NR_KEYS; i++) {
        if (!(e[i].flags & DSF_IN_USE)) continue;
        EXPECT_LT(std::strlen(e[i].key), static_cast<std::size_t>(DS_MAX_KEYLEN));
        EXPECT_LE(e[i].mem_len, static_cast<std::uint32_t>(DS_MAX_MEMLEN));
    }
    // And it still works.
    as(ALPHA);
    std::uint32_t v = 0;
    ds_delete_u32("after");
    EXPECT_EQ(ds_publish_u32("after", 5, DSF_OVERWRITE), OK);
    EXPECT_EQ(ds_retrieve_u32("after", &v), OK);
    EXPECT_EQ(v, 5u);
}

// ---- a service that tries to fill the store: quotas per owner label
// (DS_OWNER_KEYS entries, DS_OWNER_BYTES bytes), entries only RS may take
// (DS_RS_RESERVED, for the labels of the services it starts), and an
// owner's entries freed when RS deletes its label. alpha is the hog. ----

class HostileDs : public Ds {
  protected:
    static int in_use() {
        int n = 0;
        for (int i = 0; i < DS_NR_KEYS; i++) n += (ds::store_entries()[i].flags & DSF_IN_USE) != 0;
        return n;
    }
    // Publishes u32 keys "<prefix>N" until DS refuses; returns how many went in.
    static int fill(const std::string& prefix) {
        int n = 0;
        while (n < DS_NR_KEYS && ds_publish_u32((prefix + std::to_string(n)).c_str(), 1, 0) == OK)
            n++;
        return n;
    }
};

TEST_F(HostileDs, OneOwnerGetsEnomemAloneAndRsStillPublishesLabels) {
    EXPECT_EQ(fill("k"), DS_OWNER_KEYS);
    EXPECT_EQ(ds_publish_u32("onemore", 1, 0), -ENOMEM);
    EXPECT_NE(fake::log().find("ds: alpha owns 8 entries"), std::string::npos) << fake::log();
    EXPECT_EQ(ds_publish_u32("k0", 2, DSF_OVERWRITE), OK);  // its own entries still change
    as(BETA);
    EXPECT_EQ(ds_publish_u32("state", 7, 0), OK);  // another owner is not affected
    as(RS);
    EXPECT_EQ(ds_publish_label("newservice", 300, 0), OK);
}

TEST_F(HostileDs, BytesPerOwner) {
    static char big[DS_MAX_MEMLEN];
    int fit = DS_OWNER_BYTES / DS_MAX_MEMLEN;
    for (int i = 0; i < fit; i++)
        ASSERT_EQ(ds_publish_mem(("m" + std::to_string(i)).c_str(), big, sizeof big, 0), OK);
    EXPECT_EQ(ds_publish_mem("more", big, 1, 0), -ENOMEM);
    EXPECT_EQ(ds_publish_mem("m0", big, sizeof big, DSF_OVERWRITE), OK);  // same size: fine
    EXPECT_EQ(ds_delete_mem("m0"), OK);
    EXPECT_EQ(ds_publish_mem("more", big, 1, 0), OK);
    as(BETA);
    EXPECT_EQ(ds_publish_mem("mine", big, sizeof big, 0), OK);
}

TEST_F(HostileDs, ManyOwnersLeaveRsItsReservedEntries) {
    // Hoarders under many labels take what the quotas let them.
    int owners = 0;
    for (endpoint_t ep = 400; in_use() < DS_NR_KEYS; ep++, owners++) {
        as(RS);
        ASSERT_EQ(ds_publish_label(("h" + std::to_string(ep)).c_str(), ep, 0), OK);
        as(ep);
        if (fill("x" + std::to_string(ep) + ".") == 0) break;
    }
    // Only RS's label of the last hoarder may have taken one of the reserved.
    EXPECT_LE(DS_NR_KEYS - in_use(), DS_RS_RESERVED) << owners << " owners";
    EXPECT_GE(DS_NR_KEYS - in_use(), DS_RS_RESERVED - 1) << owners << " owners";
    as(BETA);
    EXPECT_EQ(ds_publish_u32("late", 1, 0), -ENOMEM);
    // RS takes the rest for the labels of new services.
    as(RS);
    int labels = 0;
    for (; in_use() < DS_NR_KEYS; labels++)
        ASSERT_EQ(ds_publish_label(("svc" + std::to_string(labels)).c_str(), 900 + labels, 0), OK);
    EXPECT_GT(labels, 0);
}

TEST_F(HostileDs, AnOwnersEntriesGoWithItsLabel) {
    EXPECT_EQ(fill("k"), DS_OWNER_KEYS);
    ASSERT_EQ(ds_subscribe("k.*", DSF_TYPE_U32), OK);
    int before = in_use();
    // alpha dies and is not restarted: RS deletes its label. Nothing
    // depends on alpha itself.
    as(RS);
    ASSERT_EQ(ds_delete_label("alpha"), OK);
    EXPECT_EQ(in_use(), before - DS_OWNER_KEYS - 1);
    bool subscribed = false;
    for (int i = 0; i < DS_NR_SUBS; i++)
        subscribed = subscribed || (ds::store_subscriptions()[i].flags & DSF_IN_USE);
    EXPECT_FALSE(subscribed);
    EXPECT_NE(fake::log().find("label alpha deleted: 8 entries and its subscription freed"),
              std::string::npos)
        << fake::log();
    // A restarted service keeps its state: overwriting its label frees nothing.
    as(BETA);
    ASSERT_EQ(ds_publish_u32("state", 1, 0), OK);
    as(RS);
    ASSERT_EQ(ds_publish_label("beta", BETA + 1000, DSF_OVERWRITE), OK);
    as(BETA + 1000);
    std::uint32_t v = 0;
    EXPECT_EQ(ds_retrieve_u32("state", &v), OK);
}

}  // namespace
