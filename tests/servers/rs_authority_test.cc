// Who may manage services, and what a new service may get (scripts.cc
// check_caller, table.cc granted_conf, policy.cc): the escalation through
// RS played on the fake host. A system process without MANAGE_SERVICES
// can look up and list but not take a service down, shut the system down,
// start or update one; an entry sent with a request may narrow what
// system.conf grants the label, never widen it.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "rs_manager_fixture.h"
#include "umk/com.h"
#include "umk/priv_flags.h"

namespace umk::rs::testing {
namespace {

constexpr endpoint_t INTRUDER = 5151;  // a default system service

std::uint64_t call_bit(int call) {
    return std::uint64_t{1} << (call - KERNEL_CALL);
}

class RsAuthority : public RsManager {
  protected:
    void SetUp() override {
        RsManager::SetUp();
        h_.authority_of[INTRUDER] = 0;
    }

    // The entry `text` (one service) as `service up -config` sends it.
    rs_start with_conf(const char* program, const char* label, const char* text) {
        rs_start st = make_start(program, label);
        conf::Config c{};
        conf::Error e{};
        EXPECT_EQ(conf::parse(text, std::strlen(text), "req.conf", &c, &e), OK) << e.what;
        st.conf = c.services[0];
        st.flags |= RSS_HAS_CONF;
        return st;
    }

    bool logged(const std::string& part) const {
        for (const std::string& l : h_.logs)
            if (l.find(part) != std::string::npos) return true;
        return false;
    }
};

// devman's `authority RESTART`: it may have a hung driver restarted, and
// nothing else - no down, no update, no restart of a core service.
TEST_F(RsAuthority, RestartAuthorityRestartsADriverOnly) {
    constexpr endpoint_t DEVMAN_LIKE = 5152;
    h_.authority_of[DEVMAN_LIKE] = RESTART_SERVICES;
    const endpoint_t hello = up("hello");
    EXPECT_EQ(request(RS_DOWN, nullptr, "hello", DEVMAN_LIKE), -EPERM);
    EXPECT_EQ(request(RS_REFRESH, nullptr, "hello", DEVMAN_LIKE), -EPERM);
    EXPECT_EQ(request(RS_RESTART, nullptr, "ds", DEVMAN_LIKE), -EPERM);
    EXPECT_TRUE(logged("RS: restart of ds from 5152 refused (EPERM): it is a core service"));
    EXPECT_EQ(request(RS_RESTART, nullptr, "nosuch", DEVMAN_LIKE), -EPERM);
    EXPECT_EQ(m_.find_active("hello")->endpoint, hello);
    EXPECT_EQ(request(RS_RESTART, nullptr, "hello", DEVMAN_LIKE), -EDONTREPLY);
    EXPECT_TRUE(h_.saw("kill " + std::to_string(hello) + " 9"));
}

TEST_F(RsAuthority, DefaultServiceMayNotManageServices) {
    const endpoint_t hello = up("hello");
    EXPECT_EQ(request(RS_DOWN, nullptr, "hello", INTRUDER), -EPERM);
    EXPECT_TRUE(logged("RS: down of hello from 5151 refused (EPERM): it may not manage services"));
    EXPECT_EQ(request(RS_REFRESH, nullptr, "hello", INTRUDER), -EPERM);
    EXPECT_EQ(request(RS_RESTART, nullptr, "hello", INTRUDER), -EPERM);
    EXPECT_EQ(request(RS_SHUTDOWN, nullptr, nullptr, INTRUDER), -EPERM);
    rs_start st = make_start("hello", "h2");
    EXPECT_EQ(request(RS_UP, &st, nullptr, INTRUDER), -EPERM);
    EXPECT_EQ(request(RS_RUN, &st, nullptr, INTRUDER), -EPERM);
    rs_start upd = make_start("", "hello");
    upd.flags = RSS_SELF;
    upd.state = 1;
    EXPECT_EQ(request(RS_UPDATE, &upd, nullptr, INTRUDER), -EPERM);
    EXPECT_EQ(h_.count_prefix("kill"), 0) << "nobody was signalled";
    EXPECT_EQ(h_.count_prefix("spawn"), 0) << "nothing was started";
    // Looking up changes nothing: every system process may.
    EXPECT_EQ(request(RS_LOOKUP, nullptr, "hello", INTRUDER), OK);
    EXPECT_EQ(last_ep_, hello);
    const Service* s = m_.find_active("hello");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->endpoint, hello);
}

TEST_F(RsAuthority, ManagerMayNarrowTheGrant) {
    rs_start st = with_conf("hello", "hello", "service hello { ipc SYSTEM ds; period 5; };");
    EXPECT_EQ(request(RS_UP, &st), -EDONTREPLY);
    const endpoint_t ep = h_.next_ep - 1;
    ASSERT_TRUE(h_.privs.count(ep));
    EXPECT_EQ(h_.privs[ep].k_call_mask & call_bit(SYS_KILL), 0u);
    EXPECT_EQ(h_.privs[ep].flags & AUTHORITY_FLAGS, 0u);
}

TEST_F(RsAuthority, EntryThatWidensTheGrantIsRefused) {
    struct Case {
        const char* label;
        const char* entry;
        const char* what;
    };
    const Case cases[] = {
        {"quiet", "service quiet { system KILL; };", "kernel calls"},
        {"hello", "service hello { ipc ALL; };", "ipc targets"},
        {"hello", "service hello { ipc SYSTEM ds rs pm; };", "ipc targets"},
        {"quiet", "service quiet { vm RS_UPDATE; };", "VM calls"},
        {"quiet", "service quiet { io 3f8:8; };", "io ranges"},
        {"quiet", "service quiet { authority MANAGE; };", "authority"},
        {"quiet", "service quiet { sigmgr SELF; };", "signal manager"},
        // A label without an entry gets the defaults: basic calls only.
        {"nobody", "service nobody { system ALL; };", "kernel calls"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.entry);
        h_.logs.clear();
        rs_start st = with_conf("hello", c.label, c.entry);
        EXPECT_EQ(request(RS_UP, &st), -EPERM);
        EXPECT_TRUE(logged(std::string("RS: the entry sent for '") + c.label + "' widens its " +
                           c.what + " beyond system.conf's grant: EPERM"));
        EXPECT_EQ(m_.find_active(c.label), nullptr);
    }
    EXPECT_EQ(h_.count_prefix("spawn"), 0);
}

TEST_F(RsAuthority, LabelWithoutEntryGetsOnlyTheBasicCalls) {
    rs_start st = make_start("rs_victim", "nobody");
    EXPECT_EQ(request(RS_UP, &st), -EDONTREPLY);
    const endpoint_t ep = h_.next_ep - 1;
    ASSERT_TRUE(h_.privs.count(ep));
    const priv_args& pa = h_.privs[ep];
    EXPECT_EQ(pa.k_call_mask & (call_bit(SYS_KILL) | call_bit(SYS_PRIVCTL) | call_bit(SYS_UPDATE)),
              0u);
    EXPECT_NE(pa.k_call_mask & call_bit(SYS_DIAGCTL), 0u);
    EXPECT_EQ(pa.flags & AUTHORITY_FLAGS, 0u);
    EXPECT_EQ(pa.sig_mgr, RS_EP);
}

TEST_F(RsAuthority, UpdateThatWidensTheGrantIsRefusedAndTheOldVersionServes) {
    const endpoint_t hello = up("hello");
    rs_start st = with_conf("hello_v2", "hello", "service hello { system KILL; };");
    st.state = 1;
    EXPECT_EQ(request(RS_UPDATE, &st), -EPERM);
    EXPECT_FALSE(m_.update_state().active);
    const Service* s = m_.find_active("hello");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->endpoint, hello);
    EXPECT_FALSE(s->flags & RS_UPDATING);
}

}  // namespace
}  // namespace umk::rs::testing
