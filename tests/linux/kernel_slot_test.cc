// In-kernel slots and watched fds: a KernelSlot type defined here, booted
// from the config, trapping from a watch_fd callback.
#include <poll.h>

#include <atomic>

#include "harness.h"
#include "svc_util.h"
#include "umk_linux/kernel_slot.h"

namespace umk_test {
namespace {

using umk::message;
using umk::OK;

std::atomic<int> g_pipe_wr{-1};
std::atomic<int> g_replies{0};
std::atomic<int> g_last_id{0};
std::atomic<int> g_errors{0};

// Each byte written to its pipe makes it SENDREC a PING (id = the byte) to
// slot 1 (boot processes have generation 0, so the endpoint is 1).
class PipePinger final : public umk::linux_host::KernelSlot {
  public:
    ~PipePinger() override {
        if (rd_ >= 0) {
            umk::linux_host::unwatch_fd(rd_);
            close(rd_);
            close(g_pipe_wr.exchange(-1));
        }
    }
    std::byte* memory() override { return mem_; }
    std::size_t memory_size() override { return sizeof mem_; }
    void on_start(umk::endpoint_t) override {
        int p[2];
        if (pipe(p) != 0) return;
        rd_ = p[0];
        g_pipe_wr = p[1];
        umk::linux_host::watch_fd(rd_, POLLIN, [this](int, short) { on_readable(); });
    }
    void on_trap_done(int result, const message* m) override {
        busy_ = false;
        if (result == OK && m && m->m_type == test_svc::PONG) {
            g_last_id = m->m1_i1;
            ++g_replies;
        } else {
            ++g_errors;
        }
        send_next();
    }

  private:
    void on_readable() {
        unsigned char buf[64];
        ssize_t n;
        while ((n = read(rd_, buf, sizeof buf)) > 0)
            for (ssize_t i = 0; i < n; ++i) queue_[tail_++ % 256] = buf[i];
        send_next();
    }
    void send_next() {
        if (busy_ || head_ == tail_) return;
        message m{};
        m.m_type = test_svc::PING;
        m.m1_i1 = queue_[head_++ % 256];
        busy_ = true;
        if (ipc(umk::SENDREC, umk::make_endpoint(0, 1), &m) != OK) {
            busy_ = false;
            ++g_errors;
        }
    }
    std::byte mem_[256]{};
    int rd_ = -1;
    bool busy_ = false;
    unsigned char queue_[256]{};
    unsigned head_ = 0, tail_ = 0;
};

std::unique_ptr<umk::linux_host::KernelSlot> make_pinger(const std::string&) {
    return std::make_unique<PipePinger>();
}
UMK_KERNEL_SLOT_TYPE(test_pinger, make_pinger);

TEST_F(HostTest, InKernelSlotTrapsFromWatchedFd) {
    boot(R"(
proc   1 pong   program=test_pong sys
kernel 2 pinger type=test_pinger sys ipc=all
)");
    ASSERT_TRUE(log.wait_for("pong: up"));
    int wr = g_pipe_wr.load();
    ASSERT_GE(wr, 0);
    const unsigned char ids[] = {1, 2, 3, 4, 5, 42};
    ASSERT_EQ(write(wr, ids, sizeof ids), static_cast<ssize_t>(sizeof ids));
    for (int i = 0; i < 500 && g_replies.load() < 6; ++i) std::this_thread::sleep_for(10ms);
    EXPECT_EQ(g_replies.load(), 6);
    EXPECT_EQ(g_last_id.load(), 42);
    EXPECT_EQ(g_errors.load(), 0);
}

TEST_F(HostTest, UnknownKernelSlotTypeFailsTheBoot) {
    umk::linux_host::BootConfig cfg;
    std::string err;
    ASSERT_TRUE(parse_boot_config("kernel 2 x type=no_such_type sys\n", "k.conf", &cfg, &err));
    umk::linux_host::HostOptions opt;
    opt.log_sink = [this](std::string_view l) { log.add(l); };
    umk::linux_host::Host h(cfg, opt);
    EXPECT_FALSE(h.start());
    h.stop();
    EXPECT_TRUE(log.wait_for("no in-kernel slot type 'no_such_type'", nullptr, 1s));
}

}  // namespace
}  // namespace umk_test
