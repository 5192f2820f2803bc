// The hello driver (MINIX drivers/hello): the character device /dev/hello,
// whose reads return "Hello, World!\n" from the offset, and whose open
// counter survives a live update through DS.
//
// Two builds from one source: `hello` and `hello_v2` (compiled with
// HELLO_V2). They serve the same device data; v2's log lines say "(v2)", so
// an update to the new version is visible in the kernel log.
#pragma once

#include "umk/types.h"
#include "umklib/sef.h"

namespace umk::hello {

// The device data (MINIX hello.h HELLO_MESSAGE).
inline constexpr char HELLO_MESSAGE[] = "Hello, World!\n";
inline constexpr int HELLO_MESSAGE_LEN = sizeof HELLO_MESSAGE - 1;

#ifdef HELLO_V2
inline constexpr char HELLO_BANNER[] = "Hello, World! (v2)";
#else
inline constexpr char HELLO_BANNER[] = "Hello, World!";
#endif

// The DS key that carries the open counter across a live update.
inline constexpr char OPEN_COUNTER_KEY[] = "open_counter";

// SEF callbacks (one init for every type, as in MINIX).
// Declare the checkpoint area (before sef_startup).
int setup_state();
int init(int type, sef_init_info_t* info);
int lu_state_save(int state);

// One request from devman (DEV_OPEN, DEV_CLOSE, DEV_READ_S, ...): fills the
// reply (DEV_REPLY, REP_ENDPT, REP_STATUS) into *m. Returns false if the
// message needs no reply (a notification).
bool handle_request(message& m);

int open_counter();

}  // namespace umk::hello
