// The kernel log on COM1 (arch::log_write), kernel panics, and leaving the
// machine (QEMU's isa-debug-exit, or a halt on real hardware).
#include "machine.h"
#include "umk/arch.h"
#include "umk/kernel.h"
#include "x86.h"

namespace umk::i386 {
namespace {

constexpr std::uint16_t COM1 = 0x3f8;
bool serial_ready = false;

// The line being written, for the test mode's markers.
char line_buf[256];
std::size_t line_len = 0;
bool in_panic = false;

void serial_put(char c) {
    // Bounded wait for the transmitter: a missing UART must not hang us.
    for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); ++i) {
    }
    outb(COM1, static_cast<std::uint8_t>(c));
}

}  // namespace

void serial_init() {
    outb(COM1 + 1, 0x00);  // no UART interrupts: the log is polled
    outb(COM1 + 3, 0x80);  // DLAB: set the divisor
    outb(COM1 + 0, 0x01);  // 115200 baud
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);  // 8 bits, no parity, one stop bit
    outb(COM1 + 2, 0xc7);  // FIFO on, cleared, 14-byte threshold
    outb(COM1 + 4, 0x03);  // DTR, RTS
    serial_ready = true;
}

void serial_write(const char* text, std::size_t len) {
    if (!serial_ready) return;
    for (std::size_t i = 0; i < len; ++i) {
        if (text[i] == '\n') serial_put('\r');
        serial_put(text[i]);
    }
}

void machine_exit(ExitCode code) {
    cli();
    // QEMU: -device isa-debug-exit,iobase=0xf4,iosize=0x04 ends the emulator
    // with status (code << 1) | 1. Elsewhere the write is ignored and we halt.
    outl(0xf4, static_cast<std::uint32_t>(code));
    for (;;) asm volatile("hlt");
}

}  // namespace umk::i386

namespace umk::arch {

void log_write(const char* text, std::size_t len) {
    using namespace umk::i386;
    serial_write(text, len);
    if (in_panic) return;
    for (std::size_t i = 0; i < len; ++i) {
        if (text[i] == '\n') {
            const std::size_t n = line_len;
            line_len = 0;
            testmode_log_line(line_buf, n);
        } else if (line_len < sizeof line_buf) {
            line_buf[line_len++] = text[i];
        }
    }
}

void panic(const char* why) {
    using namespace umk::i386;
    cli();
    if (!in_panic) {
        in_panic = true;
        kprintf("\nkernel panic: %s\n", why);
    }
    machine_exit(ExitCode::PANIC);
}

}  // namespace umk::arch
