// The kernel log on COM1 and the VGA text screen (arch::log_write), kernel
// panics, and leaving the machine (QEMU's isa-debug-exit, or a halt on real
// hardware). Serial is what the tests read; the screen is for a person in
// front of real hardware booted from the ISO.
#include "machine.h"
#include "umk/arch.h"
#include "umk/kernel.h"
#include "x86.h"

namespace umk::i386 {
namespace {

constexpr std::uint16_t COM1 = 0x3f8;
bool serial_ready = false;

// The line being written, for the test mode's markers: one for the
// kernel's own log, one for what a console driver (TTY) writes to COM1.
char line_buf[256];
std::size_t line_len = 0;
char port_line_buf[256];
std::size_t port_line_len = 0;
bool in_panic = false;

// VGA text mode, 80x25 at 0xb8000 (in the 1:1 kernel space), as the boot
// loader left it; the log scrolls up from the bottom line.
constexpr int VGA_COLS = 80, VGA_ROWS = 25;
constexpr std::uint16_t VGA_ATTR = 0x0700;  // light grey on black
int vga_col = 0;
bool vga_ready = false;

volatile std::uint16_t* vga() {
    return reinterpret_cast<volatile std::uint16_t*>(0xb8000);
}

void vga_newline() {
    for (int i = 0; i < (VGA_ROWS - 1) * VGA_COLS; ++i) vga()[i] = vga()[i + VGA_COLS];
    for (int i = 0; i < VGA_COLS; ++i) vga()[(VGA_ROWS - 1) * VGA_COLS + i] = VGA_ATTR | ' ';
    vga_col = 0;
}

void vga_put(char c) {
    if (c == '\n') return vga_newline();
    if (vga_col == VGA_COLS) vga_newline();
    vga()[(VGA_ROWS - 1) * VGA_COLS + vga_col++] =
        VGA_ATTR | static_cast<std::uint8_t>(c >= ' ' && c < 127 ? c : '?');
}

void serial_put(char c) {
    // Bounded wait for the transmitter: a missing UART must not hang us.
    for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); ++i) {
    }
    outb(COM1, static_cast<std::uint8_t>(c));
}

void watch_line(char c, char* buf, std::size_t& len, std::size_t size) {
    if (c == '\n') {
        const std::size_t n = len;
        len = 0;
        testmode_log_line(buf, n);
    } else if (len < size) {
        buf[len++] = c;
    }
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
    for (int i = 0; i < VGA_ROWS * VGA_COLS; ++i) vga()[i] = VGA_ATTR | ' ';
    vga_ready = true;
}

void serial_write(const char* text, std::size_t len) {
    for (std::size_t i = 0; i < len; ++i) {
        if (serial_ready) {
            if (text[i] == '\n') serial_put('\r');
            serial_put(text[i]);
        }
        if (vga_ready) vga_put(text[i]);
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
    for (std::size_t i = 0; i < len; ++i) watch_line(text[i], line_buf, line_len, sizeof line_buf);
}

void port_out(std::uint16_t port, std::uint8_t value) {
    using namespace umk::i386;
    outb(port, value);
    // What a ring-3 console driver (TTY, through SYS_VDEVIO) sends to COM1
    // is the console as much as the kernel's own log: show it on the screen
    // too, and let the test mode watch its lines.
    if (port != COM1 || in_panic || value == '\r') return;
    if (vga_ready) vga_put(static_cast<char>(value));
    watch_line(static_cast<char>(value), port_line_buf, port_line_len, sizeof port_line_buf);
}

std::uint8_t port_in(std::uint16_t port) {
    return umk::i386::inb(port);
}

void panic(const char* why) {
    using namespace umk::i386;
    cli();
    if (!in_panic) {
        in_panic = true;
        kmess_flush_direct();  // what the log reader had not shown yet
        kprintf("\nkernel panic: %s\n", why);
    }
    machine_exit(ExitCode::PANIC);
}

}  // namespace umk::arch
