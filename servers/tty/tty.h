// TTY, the console server (MINIX 3.1.7 drivers/tty, its kernel-message and
// serial-output parts): it shows the kernel log on the console and is the
// character device /dev/tty for writes. See README.md.
#pragma once

#include <cstddef>

#include "umk/types.h"
#include "umklib/sef.h"

namespace umk::tty {

// The console: COM1, a 16550 UART, reached with SYS_VDEVIO inside the io
// range system.conf gives TTY (`io 3f8:8`).
inline constexpr std::uint16_t COM1 = 0x3f8;
inline constexpr std::uint16_t COM1_LSR = COM1 + 5;
inline constexpr std::uint8_t LSR_THRE = 0x20;  // transmitter holding register empty
inline constexpr int UART_FIFO = 16;            // bytes the UART takes once THRE is set

// SEF init, every type: register for SIGKMESS (a live update's new image
// registers again: the registration belongs to the image that made it),
// announce /dev/tty in DS (fresh and restart), and show the log text
// that waits in the kernel.
int init(int type, sef_init_info_t* info);
// SIGKMESS: take and show the new log text. SIGTERM: show what is left,
// give the log back to the kernel and exit.
void signal_handler(int signo);

// Take every unshown byte of the kernel log and write it to the console.
// Returns the bytes shown.
std::size_t show_kernel_log();

// Write text to the console (LF becomes CR LF, as a serial line needs).
// OK or the first error of SYS_VDEVIO.
int console_write(const char* text, std::size_t len);

// One request from devman (DEV_OPEN, DEV_CLOSE, DEV_READ_S, DEV_WRITE_S):
// fills the reply (DEV_REPLY, REP_ENDPT, REP_STATUS) into *m. Returns false
// if the message needs no reply (a notification).
bool handle_request(message& m);

// ---- state (state.cc) ----
inline constexpr std::uint32_t STATE_VERSION = 1;
// What crosses an update and a restart: TTY's account of its work (the
// log position itself is the kernel's).
struct State {
    std::uint32_t magic;
    std::uint32_t instances;  // this one included: 1 after a fresh start
    std::uint64_t log_shown;  // kernel log bytes written to the console
    std::uint64_t written;    // bytes written to /dev/tty
};
const State& state();
void state_reset();  // nothing counted, no instance
void state_fresh();  // a fresh start: instance 1, checkpointed
// SEF glue: the area (before sef_startup), a checkpoint, and the restore
// in init_lu / init_restart (LU: an error fails the init; RESTART: a lost
// state is logged and counting starts again).
int state_setup();
int state_checkpoint();
int state_restore(int type);
// Count work done and checkpoint it.
void state_account(std::size_t log_shown, std::size_t written);
// Take a checkpoint in (OK, or -EINVAL for a wrong length, version or magic).
int state_load(const void* buf, std::size_t len, std::uint32_t version);

}  // namespace umk::tty
