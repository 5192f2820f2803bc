// The fixture of RS's policy tests: a Manager on a FakeHost with a small
// system.conf and DS already up, and the helpers (up, update, reply lines)
// the suites share. The RsManager suite spans rs_table_test.cc,
// rs_request_test.cc, rs_recovery_test.cc and rs_update_test.cc, and
// GoogleTest requires every TEST_F of a suite to use one fixture class, so
// the class lives here, in a named namespace, not once per file.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "manager.h"
#include "rs_fake_host.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"

namespace umk::rs::testing {

inline constexpr endpoint_t RS_EP = 2;
inline constexpr endpoint_t DS_EP = 6;
inline constexpr endpoint_t CLIENT = 4242;
inline constexpr endpoint_t CLIENT2 = 4343;

inline constexpr const char* kConf = R"(
service ds { period 0; };
service hello { period 10; ipc SYSTEM ds rs; };
service quiet { period 0; };
service keeper { period 0; policy restart; };
)";

class RsManager : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_EQ(conf::parse(kConf, std::strlen(kConf), "t.conf", &cfg_, &err_), OK);
        m_.init(h_, &cfg_, RS_EP);
        ASSERT_EQ(m_.adopt_boot("ds", DS_EP), OK);
        m_.init_reply(DS_EP, OK);
        ASSERT_TRUE(m_.ds_ready());
        h_.clear_events();
    }

    rs_start make_start(const char* program, const char* label = "") {
        rs_start st{};
        std::strcpy(st.program, program);
        std::strcpy(st.label, label);
        st.period = -1;
        return st;
    }

    int request(int type, const rs_start* st, const char* label = nullptr,
                endpoint_t caller = CLIENT) {
        Request rq{type, caller, st, label};
        endpoint_t ep;
        int r = m_.request(rq, &ep);
        last_ep_ = ep;
        return r;
    }

    // `service up` + a successful init: the new endpoint.
    endpoint_t up(const char* program, const char* label = "") {
        rs_start st = make_start(program, label);
        EXPECT_EQ(request(RS_UP, &st), -EDONTREPLY);
        endpoint_t ep = h_.next_ep - 1;
        m_.init_reply(ep, OK);
        EXPECT_TRUE(h_.saw("reply " + std::to_string(CLIENT) + " r=0 ep=" + std::to_string(ep)));
        h_.clear_events();
        return ep;
    }

    // Start an update of `label`; returns the new version's endpoint.
    endpoint_t start_update(const char* label, int state = 1, int maxtime = 0,
                            endpoint_t caller = CLIENT) {
        rs_start st = make_start("", label);
        st.flags = RSS_SELF;
        st.state = state;
        st.maxtime = maxtime;
        EXPECT_EQ(request(RS_UPDATE, &st, nullptr, caller), -EDONTREPLY);
        return h_.next_ep - 1;
    }

    std::string reply_to(endpoint_t who, int r, endpoint_t ep) {
        return "reply " + std::to_string(who) + " r=" + std::to_string(r) +
               " ep=" + std::to_string(ep);
    }

    FakeHost h_;
    Manager m_;
    conf::Config cfg_;
    conf::Error err_;
    endpoint_t last_ep_ = NONE;
};

}  // namespace umk::rs::testing
