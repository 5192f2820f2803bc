// The in-process world of the hello_* tests: DS, devman and the hello
// driver behind the fake service library (asynchronous delivery on), RS's
// labels for devman and hello published, hello initialized and announced.
#pragma once

#include <gtest/gtest.h>

#include "devman.h"
#include "fake_sys.h"
#include "hello.h"
#include "sef_state_fake.h"
#include "store.h"
#include "umk/err.h"
#include "umklib/ds.h"
#include "umklib/sef.h"

namespace devman_world {

// hello at `ep`, answering as driver_task does.
inline void route_hello(umk::endpoint_t ep) {
    fake::route(ep, [](umk::message& m) {
        umk::hello::handle_request(m);
        return m.m_type;
    });
}

// Call with ASSERT_NO_FATAL_FAILURE; the test then runs as `user`.
inline void start(umk::endpoint_t rs, umk::endpoint_t hello, umk::endpoint_t user) {
    using namespace umk;
    fake::reset();
    fake_state::reset();
    ASSERT_EQ(hello::setup_state(), OK);
    fake::deliver_async(true);  // devman asks drivers without waiting
    ds::store_init(DS_PROC_NR, rs);
    fake::route(DS_PROC_NR, [](message& m) { return ds::handle_request(m); });
    fake::route(DEVMAN_PROC_NR, [](message& m) { return devman::handle_request(m); });
    route_hello(hello);
    fake::set_self(rs);
    ASSERT_EQ(ds_publish_label("devman", DEVMAN_PROC_NR, 0), OK);
    ASSERT_EQ(ds_publish_label("hello", hello, 0), OK);
    fake::set_self(DEVMAN_PROC_NR);
    devman::devman_init(DEVMAN_PROC_NR);
    devman::subscribe();
    fake::set_self(hello);
    ASSERT_EQ(hello::init(SEF_INIT_FRESH, nullptr), OK);
    fake::set_self(user);
}

// A notification from `from` reaches devman's main loop.
inline void notify_devman(umk::endpoint_t from) {
    using namespace umk;
    endpoint_t was = fake::self();
    fake::set_self(DEVMAN_PROC_NR);
    message m{};
    m.m_source = from;
    m.m_type = notify_from(0);
    devman::handle_request(m);
    fake::set_self(was);
}

// Deliver DS's pending notifications to devman, as its main loop would.
inline void deliver_ds_notifications() {
    auto pending = fake::notifies();
    fake::notifies().clear();
    for (auto& n : pending)
        if (n.to == umk::DEVMAN_PROC_NR) notify_devman(umk::DS_PROC_NR);
}

}  // namespace devman_world
