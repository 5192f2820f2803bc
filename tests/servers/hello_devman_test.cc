// /dev/hello through devman: a user process opens, reads and closes the
// device by name; devman finds the driver through DS and follows it to a
// new endpoint after a restart. Everything in-process (fake service library).
#include <gtest/gtest.h>

#include <string>

#include "devman_world.h"
#include "umk/err.h"
#include "umklib/dev_proto.h"
#include "umklib/ds.h"
#include "umklib/pm_proto.h"
#include "umklib/sef.h"

namespace {

using namespace umk;

constexpr endpoint_t RS = 2;
constexpr endpoint_t HELLO = 40;
constexpr endpoint_t HELLO2 = HELLO + 36558;
constexpr endpoint_t USER = 90;
constexpr endpoint_t USER2 = 91;

class DevHello : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_NO_FATAL_FAILURE(devman_world::start(RS, HELLO, USER)); }
    static void as(endpoint_t ep) { fake::set_self(ep); }
    static void route_hello(endpoint_t ep) { devman_world::route_hello(ep); }
    static void deliver_ds_notifications() {
        devman_world::deliver_ds_notifications();
        as(USER);
    }
    static std::string read_all(int fd, int chunk) {
        std::string out;
        char buf[64];
        for (;;) {
            int n = dev_read(fd, buf, chunk);
            EXPECT_GE(n, 0);
            if (n <= 0) break;
            out.append(buf, n);
        }
        return out;
    }
};

TEST_F(DevHello, OpenReadClose) {
    int fd = dev_open("/dev/hello");
    ASSERT_GE(fd, 0);
    EXPECT_EQ(hello::open_counter(), 1);
    EXPECT_EQ(read_all(fd, 64), "Hello, World!\n");
    EXPECT_EQ(dev_read(fd, nullptr, 0), 0);
    EXPECT_EQ(dev_close(fd), OK);
    EXPECT_EQ(dev_read(fd, nullptr, 0), -EBADF);  // closed
    EXPECT_EQ(dev_close(fd), -EBADF);
    EXPECT_NE(fake::log().find("hello_close()"), std::string::npos);
}

TEST_F(DevHello, SmallReadsFollowTheOffset) {
    int fd = dev_open("/dev/hello");
    EXPECT_EQ(read_all(fd, 3), "Hello, World!\n");
    dev_close(fd);
}

TEST_F(DevHello, EachProcessHasItsOwnDescriptors) {
    int a = dev_open("/dev/hello");
    char buf[5];
    EXPECT_EQ(dev_read(a, buf, 5), 5);
    as(USER2);
    EXPECT_EQ(dev_read(a, buf, 5), -EBADF);  // USER2 has no descriptors yet
    int b = dev_open("/dev/hello");
    EXPECT_EQ(b, a);  // the same number, in USER2's own table
    EXPECT_EQ(dev_read(b, buf, 5), 5);
    EXPECT_EQ(std::string(buf, 5), "Hello");
    EXPECT_EQ(dev_read(b + 1, buf, 5), -EBADF);
    as(USER);
    EXPECT_EQ(dev_read(a, buf, 5), 5);
    EXPECT_EQ(std::string(buf, 5), ", Wor");
    EXPECT_EQ(hello::open_counter(), 2);
}

// No 40-byte limit: the driver copies straight into the caller's buffer
// through devman's magic grant, and devman keeps no grant afterwards.
TEST_F(DevHello, LargeReadInOneRequest) {
    int fd = dev_open("/dev/hello");
    ASSERT_GE(fd, 0);
    std::string buf(4096, '#');
    EXPECT_EQ(dev_read(fd, buf.data(), buf.size()), 14);
    EXPECT_EQ(buf.substr(0, 15), "Hello, World!\n#");
    EXPECT_EQ(dev_read(fd, buf.data(), buf.size()), 0);
    EXPECT_EQ(fake::grants_in_use(), 0);
    // hello takes no writes: the driver's answer comes back.
    EXPECT_EQ(dev_write(fd, "x", 1), -EINVAL);
    EXPECT_EQ(dev_close(fd), OK);
}

TEST_F(DevHello, FilesOfADeadProcessAreClosed) {
    ASSERT_GE(dev_open("/dev/hello"), 0);
    ASSERT_GE(dev_open("/dev/hello"), 0);
    as(USER2);
    ASSERT_GE(dev_open("/dev/hello"), 0);
    EXPECT_EQ(devman::open_files(), 3);
    message m{};
    m.m_type = DEVMAN_PROC_EXIT;
    m.DEVMAN_EXIT_ENDPT = USER;
    m.m_source = USER2;  // only PM may say so
    as(DEVMAN_PROC_NR);
    EXPECT_EQ(devman::handle_request(m), -EDONTREPLY);
    EXPECT_EQ(devman::open_files(), 3);
    m.m_source = PM_PROC_NR;
    EXPECT_EQ(devman::handle_request(m), -EDONTREPLY);
    EXPECT_EQ(devman::open_files(), 1);
    fake::run_queue();  // DEV_CLOSE went out by asynsend: let hello take it
    EXPECT_NE(fake::log().find("hello_close()"), std::string::npos);  // the driver was told
}

TEST_F(DevHello, UnknownDevicesAndBadPaths) {
    EXPECT_EQ(dev_open("/dev/nosuch"), -ENODEV);
    EXPECT_EQ(dev_open("/etc/passwd"), -ENOENT);
    EXPECT_EQ(dev_open("/dev/"), -ENOENT);
    EXPECT_EQ(dev_open(std::string(60, 'x').c_str()), -EINVAL);
}

TEST_F(DevHello, AnAnnouncementMustMatchTheLabel) {
    // "beta" announces a device under gamma's name, with its own endpoint.
    as(RS);
    ASSERT_EQ(ds_publish_label("beta", 77, 0), OK);
    ASSERT_EQ(ds_publish_label("gamma", 78, 0), OK);
    as(77);
    ASSERT_EQ(ds_publish_u32("dev.gamma", 77, 0), OK);  // beta squats gamma's name
    deliver_ds_notifications();
    EXPECT_EQ(devman::driver("gamma"), nullptr);
    as(USER);
    EXPECT_EQ(dev_open("/dev/gamma"), -ENODEV);
}

TEST_F(DevHello, RequestsFollowADriverRestart) {
    int fd = dev_open("/dev/hello");
    ASSERT_GE(fd, 0);
    EXPECT_EQ(devman::driver("hello")->endpoint, HELLO);

    // hello crashes; RS restarts it under a new endpoint and relabels it.
    fake::route(HELLO, nullptr);
    route_hello(HELLO2);
    as(RS);
    ASSERT_EQ(ds_publish_label("hello", HELLO2, DSF_OVERWRITE), OK);
    as(HELLO2);
    ASSERT_EQ(hello::init(SEF_INIT_RESTART, nullptr), OK);
    deliver_ds_notifications();
    EXPECT_EQ(devman::driver("hello")->endpoint, HELLO2);

    as(USER);
    int fd2 = dev_open("/dev/hello");
    ASSERT_GE(fd2, 0);
    EXPECT_EQ(hello::open_counter(), 2);  // the new instance counts on from DS
    EXPECT_EQ(read_all(fd2, 64), "Hello, World!\n");
}

TEST_F(DevHello, ADeadDriverIsLookedUpAgainBeforeTheNotificationArrives) {
    int fd = dev_open("/dev/hello");
    ASSERT_GE(fd, 0);
    fake::route(HELLO, nullptr);
    route_hello(HELLO2);
    as(RS);
    ASSERT_EQ(ds_publish_label("hello", HELLO2, DSF_OVERWRITE), OK);
    as(HELLO2);
    ASSERT_EQ(hello::init(SEF_INIT_RESTART, nullptr), OK);
    fake::notifies().clear();  // devman has not seen DS's news yet
    as(USER);
    // The old descriptor's read reaches the new instance (hello has no per-open state).
    EXPECT_EQ(read_all(fd, 64), "Hello, World!\n") << fake::log();
    EXPECT_EQ(devman::driver("hello")->endpoint, HELLO2);
}

TEST_F(DevHello, LiveUpdateKeepsTheEndpointAndTheCounter) {
    int fd = dev_open("/dev/hello");
    dev_close(fd);
    fd = dev_open("/dev/hello");
    as(HELLO);
    ASSERT_EQ(hello::lu_state_save(SEF_LU_STATE_REQUEST_FREE), OK);
    ASSERT_EQ(hello::init(SEF_INIT_LU, nullptr), OK);  // the new version, same endpoint
    as(USER);
    EXPECT_EQ(read_all(fd, 64), "Hello, World!\n");
    int fd2 = dev_open("/dev/hello");
    ASSERT_GE(fd2, 0);
    EXPECT_EQ(hello::open_counter(), 3);
}

}  // namespace
