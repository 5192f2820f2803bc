// DS against a service that tries to fill it: quotas per owner label
// (DS_OWNER_KEYS entries, DS_OWNER_BYTES bytes), entries only RS may take
// (DS_RS_RESERVED, for the labels of the services it starts), and an
// owner's entries freed when RS deletes its label. Handlers in-process.
#include <gtest/gtest.h>

#include <string>

#include "fake_sys.h"
#include "store.h"
#include "umk/err.h"
#include "umklib/ds.h"

namespace {

using namespace umk;

constexpr endpoint_t RS = 2;
constexpr endpoint_t HOG = 100;
constexpr endpoint_t QUIET = 101;

class HostileDs : public ::testing::Test {
  protected:
    void SetUp() override {
        fake::reset();
        ds::store_init(DS_PROC_NR, RS);
        fake::route(DS_PROC_NR, [](message& m) { return ds::handle_request(m); });
        as(RS);
        ASSERT_EQ(ds_publish_label("hog", HOG, 0), OK);
        ASSERT_EQ(ds_publish_label("quiet", QUIET, 0), OK);
        as(HOG);
    }
    static void as(endpoint_t ep) { fake::set_self(ep); }
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
    EXPECT_NE(fake::log().find("ds: hog owns 8 entries"), std::string::npos) << fake::log();
    EXPECT_EQ(ds_publish_u32("k0", 2, DSF_OVERWRITE), OK);  // its own entries still change
    as(QUIET);
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
    as(QUIET);
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
    as(QUIET);
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
    // The hog dies and is not restarted: RS deletes its label. Nothing
    // depends on the hog itself.
    as(RS);
    ASSERT_EQ(ds_delete_label("hog"), OK);
    EXPECT_EQ(in_use(), before - DS_OWNER_KEYS - 1);
    bool subscribed = false;
    for (int i = 0; i < DS_NR_SUBS; i++)
        subscribed = subscribed || (ds::store_subscriptions()[i].flags & DSF_IN_USE);
    EXPECT_FALSE(subscribed);
    EXPECT_NE(fake::log().find("label hog deleted: 8 entries and its subscription freed"),
              std::string::npos)
        << fake::log();
    // A restarted service keeps its state: overwriting its label frees nothing.
    as(QUIET);
    ASSERT_EQ(ds_publish_u32("state", 1, 0), OK);
    as(RS);
    ASSERT_EQ(ds_publish_label("quiet", QUIET + 1000, DSF_OVERWRITE), OK);
    as(QUIET + 1000);
    std::uint32_t v = 0;
    EXPECT_EQ(ds_retrieve_u32("state", &v), OK);
}

}  // namespace
