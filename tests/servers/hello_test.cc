// The hello driver (MINIX drivers/hello, reference section 14): the device
// data, the open counter, and the three init types, with DS in-process.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "fake_sys.h"
#include "hello.h"
#include "sef_state_fake.h"
#include "store.h"
#include "umk/err.h"
#include "umklib/dev_proto.h"
#include "umklib/ds.h"
#include "umklib/ipc.h"
#include "umklib/sef.h"
#include "umklib/syslib.h"

namespace {

using namespace umk;

constexpr endpoint_t RS = 2;
constexpr endpoint_t HELLO = 40;
constexpr endpoint_t HELLO2 = HELLO + 36558;  // after a restart

class Hello : public ::testing::Test {
  protected:
    void SetUp() override {
        fake::reset();
        fake_state::reset();
        ASSERT_EQ(hello::setup_state(), OK);
        ds::store_init(DS_PROC_NR, RS);
        fake::route(DS_PROC_NR, [](message& m) { return ds::handle_request(m); });
        fake::route(HELLO, [](message& m) {
            hello::handle_request(m);
            return m.m_type;
        });
        fake::set_self(RS);
        ASSERT_EQ(ds_publish_label("hello", HELLO, 0), OK);
        ASSERT_EQ(ds_publish_label("devman", DEVMAN_PROC_NR, 0), OK);
        fake::set_self(HELLO);
    }

    // devman's side: one request to the driver, REP_STATUS back.
    static int request(int type, std::int64_t pos = 0, char* buf = nullptr, int count = 0) {
        fake::set_self(DEVMAN_PROC_NR);
        message m{};
        m.m_type = type;
        m.IO_ENDPT = DEVMAN_PROC_NR;
        m.POSITION = pos;
        m.COUNT = count;
        cp_grant_id_t g = GRANT_INVALID;
        if (buf) {
            g = cpf_grant_direct(HELLO, vir_addr(buf), static_cast<std::size_t>(count), CPF_WRITE);
            m.IO_GRANT = static_cast<vir_bytes>(g);
        }
        int r = ipc_sendrec(HELLO, &m);
        if (buf) cpf_revoke(g);
        fake::set_self(HELLO);
        EXPECT_EQ(r, OK);
        EXPECT_EQ(m.m_type, DEV_REPLY);
        EXPECT_EQ(m.REP_ENDPT, DEVMAN_PROC_NR);
        return m.REP_STATUS;
    }
    static std::uint32_t announced() {
        std::uint32_t v = 0;
        EXPECT_EQ(ds_retrieve_u32("dev.hello", &v), OK);
        return v;
    }
};

TEST_F(Hello, FreshInitPrintsTheGreetingAndAnnouncesTheDevice) {
    ASSERT_EQ(hello::init(SEF_INIT_FRESH, nullptr), OK);
    EXPECT_NE(fake::log().find("hello: Hello, World!\n"), std::string::npos) << fake::log();
    EXPECT_EQ(hello::open_counter(), 0);
    EXPECT_EQ(announced(), static_cast<std::uint32_t>(HELLO));
}

TEST_F(Hello, ReadsReturnTheMessageFromTheOffset) {
    ASSERT_EQ(hello::init(SEF_INIT_FRESH, nullptr), OK);
    char buf[64] = {};
    EXPECT_EQ(request(DEV_READ_S, 0, buf, sizeof buf), 14);
    EXPECT_EQ(std::string(buf, 14), "Hello, World!\n");
    std::memset(buf, 0, sizeof buf);
    EXPECT_EQ(request(DEV_READ_S, 7, buf, 3), 3);
    EXPECT_EQ(std::string(buf), "Wor");
    EXPECT_EQ(request(DEV_READ_S, 10, buf, 64), 4);
    EXPECT_EQ(request(DEV_READ_S, 14, buf, 64), 0);  // end of the device
    EXPECT_EQ(request(DEV_READ_S, 1000, buf, 64), 0);
    EXPECT_EQ(request(DEV_READ_S, -1, buf, 64), -EINVAL);
    EXPECT_EQ(request(DEV_WRITE_S, 0, buf, 4), -EINVAL);  // only reads
}

TEST_F(Hello, OpenCountsAndPrints) {
    ASSERT_EQ(hello::init(SEF_INIT_FRESH, nullptr), OK);
    EXPECT_EQ(request(DEV_OPEN), OK);
    EXPECT_EQ(request(DEV_CLOSE), OK);
    EXPECT_EQ(request(DEV_OPEN), OK);
    EXPECT_EQ(request(DEV_OPEN), OK);
    EXPECT_EQ(hello::open_counter(), 3);
    EXPECT_NE(fake::log().find("hello_open(). Called 3 time(s)."), std::string::npos);
    EXPECT_NE(fake::log().find("hello_close()"), std::string::npos);
}

TEST_F(Hello, LiveUpdateCarriesTheCounterThroughItsImage) {
    ASSERT_EQ(hello::init(SEF_INIT_FRESH, nullptr), OK);
    for (int i = 0; i < 5; i++) request(DEV_OPEN);
    // The old version is ready (always) and saves its state.
    EXPECT_EQ(hello::lu_state_save(SEF_LU_STATE_REQUEST_FREE), OK);
    ASSERT_EQ(fake_state::last.size(), sizeof(int));
    int saved = 0;
    std::memcpy(&saved, fake_state::last.data(), sizeof saved);
    EXPECT_EQ(saved, 5);
    // Each open is in DS too (a replica at a new endpoint reads it there).
    std::uint32_t in_ds = 0;
    EXPECT_EQ(ds_retrieve_u32(hello::OPEN_COUNTER_KEY, &in_ds), OK);
    EXPECT_EQ(in_ds, 5u);
    request(DEV_OPEN);
    EXPECT_EQ(hello::lu_state_save(SEF_LU_STATE_REQUEST_FREE), OK);

    // The new version takes over the endpoint and copies the counter from
    // the old image, asking no other service (a live update may include DS).
    fake::log().clear();
    int ds_calls = 0;
    fake::on_sendrec = [&](endpoint_t, endpoint_t to, message&) {
        if (to == DS_PROC_NR) ++ds_calls;
        return OK;
    };
    ASSERT_EQ(hello::init(SEF_INIT_LU, nullptr), OK);
    fake::on_sendrec = nullptr;
    EXPECT_EQ(ds_calls, 0);
    EXPECT_EQ(hello::open_counter(), 6);
    EXPECT_NE(fake::log().find("Hey, I'm a new version! (open_counter 6)"), std::string::npos)
        << fake::log();
    request(DEV_OPEN);
    EXPECT_EQ(hello::open_counter(), 7);
}

TEST_F(Hello, ALiveUpdateWithoutTheOldImageFailsItsInit) {
    ASSERT_EQ(hello::init(SEF_INIT_FRESH, nullptr), OK);
    request(DEV_OPEN);
    fake_state::restore_error = -EFAULT;
    EXPECT_EQ(hello::init(SEF_INIT_LU, nullptr), -EFAULT);  // RS rolls back
    EXPECT_NE(fake::log().find("cannot take the old version's open counter"), std::string::npos);
}

TEST_F(Hello, RestartInPlaceKeepsTheCounterFromTheImage) {
    ASSERT_EQ(hello::init(SEF_INIT_FRESH, nullptr), OK);
    request(DEV_OPEN);
    request(DEV_OPEN);
    ASSERT_EQ(hello::init(SEF_INIT_RESTART, nullptr), OK);  // policy restart: same endpoint
    EXPECT_EQ(hello::open_counter(), 2);
    EXPECT_NE(fake::log().find("Hey, I've just been restarted! (open_counter 2)"),
              std::string::npos);
}

TEST_F(Hello, RestartAtANewEndpointKeepsTheCounterFromDsAndReannounces) {
    ASSERT_EQ(hello::init(SEF_INIT_FRESH, nullptr), OK);
    request(DEV_OPEN);
    request(DEV_OPEN);
    // RS restarts hello (policy reset): a new endpoint under the same label,
    // no predecessor image to copy from.
    fake_state::restore_error = -ENOENT;
    fake::set_self(RS);
    ASSERT_EQ(ds_publish_label("hello", HELLO2, DSF_OVERWRITE), OK);
    fake::set_self(HELLO2);
    fake::log().clear();
    ASSERT_EQ(hello::init(SEF_INIT_RESTART, nullptr), OK);
    EXPECT_EQ(hello::open_counter(), 2);
    EXPECT_NE(fake::log().find("Hey, I've just been restarted!"), std::string::npos);
    EXPECT_EQ(announced(), static_cast<std::uint32_t>(HELLO2));
}

TEST_F(Hello, ACounterLostEverywhereStartsFromZeroAndSaysSo) {
    ASSERT_EQ(hello::init(SEF_INIT_FRESH, nullptr), OK);
    request(DEV_OPEN);
    fake_state::restore_error = -EFAULT;
    fake::set_self(DS_PROC_NR);
    ASSERT_EQ(ds_delete_u32(hello::OPEN_COUNTER_KEY), -EPERM);  // only its owner may
    fake::set_self(HELLO);
    ASSERT_EQ(ds_delete_u32(hello::OPEN_COUNTER_KEY), OK);
    ASSERT_EQ(hello::init(SEF_INIT_RESTART, nullptr), OK);
    EXPECT_EQ(hello::open_counter(), 0);
    EXPECT_NE(fake::log().find("hello: open counter lost (image: its memory is gone; DS: ESRCH)"),
              std::string::npos)
        << fake::log();
}

TEST_F(Hello, InitFailsWhenDsDoesNotKnowTheDriver) {
    fake::set_self(777);  // no label: DS refuses the announcement
    EXPECT_EQ(hello::init(SEF_INIT_FRESH, nullptr), -EINVAL);
    EXPECT_EQ(hello::init(99, nullptr), -EINVAL);
}

TEST_F(Hello, NotificationsGetNoReply) {
    message m{};
    m.m_type = notify_from(2);
    EXPECT_FALSE(hello::handle_request(m));
}

}  // namespace
