// State and handlers shared by the SEF files (not part of the API).
#pragma once

#include "umklib/sef.h"

namespace umk::sef {

// The endpoint of RS: the sender of our RS_INIT (or ourselves, for RS).
extern endpoint_t rs_endpoint;

// Handlers of SEF's own messages; each consumes the message.
// Runs the init callback and reports to RS; returns the init result.
int init_request(const message& m);
void ping_request(const message& m);
void lu_request(const message& m);
void lu_before_receive();
void signal_request(const message& m);
bool lu_preparing();
sef_cb_init_t init_fresh_callback();
sef_cb_init_t init_restart_callback();

// State transfer (sef_state.cc): the grant of our area to the endpoint we
// own at init (GRANT_INVALID without an area), and the predecessor RS named.
cp_grant_id_t state_grant_for_init();
void state_set_predecessor(endpoint_t ep, cp_grant_id_t grant);

// Debug helpers for the predefined "misbehave" callbacks.
[[noreturn]] void crash(const char* what);  // a real fault the kernel sees
[[noreturn]] void hang(const char* what);   // block for ever, without spinning

void init_reset();
void ping_reset();
void lu_reset();
void signal_reset();
void state_reset();

}  // namespace umk::sef
