// The I/O ports of the Linux host (arch::port_out / port_in, reached through
// SYS_VDEVIO): an emulated 16550 UART at COM1 (0x3f8..0x3ff), so that a
// console driver written for the hardware (servers/tty) runs unchanged.
//  - THR (0x3f8, written): the byte goes to the console, which on the host
//    is the kernel log's destination: stdout (HostOptions::echo_log) and the
//    log sink. Bytes are collected into lines and each complete line is
//    written with one write, so lines of the console and of the kernel's own
//    log never interleave mid-line. A CR is dropped: the host side is a
//    Unix text stream, where the driver's CR LF is just LF.
//  - LSR (0x3fd, read): 0x60, transmitter holding register and shift
//    register empty: the emulated line is infinitely fast.
//  - every other COM1 register (IER, IIR/FCR, LCR, MCR, MSR, SCR, the
//    divisor) accepts writes and reads 0; ports outside COM1 ignore writes
//    and read 0xff (nothing there).
#include "umk_linux/console.h"

#include <atomic>
#include <cstdio>
#include <string>

#include "host_state.h"
#include "umk/arch.h"

namespace umk::linux_host {
namespace {
std::atomic<std::uint64_t> g_console_lines{0};
}  // namespace

std::uint64_t console_lines_written() {
    return g_console_lines.load();
}

}  // namespace umk::linux_host

namespace umk::arch {
namespace {

constexpr std::uint16_t COM1 = 0x3f8;
constexpr std::uint16_t COM1_LSR = COM1 + 5;
constexpr std::uint8_t LSR_THRE_TEMT = 0x60;
constexpr std::size_t CONSOLE_LINE_MAX = 4096;  // a longer "line" is written out in pieces

std::string& console_line() {
    static std::string line;
    return line;
}

void emit_line() {
    using namespace umk::linux_host;
    std::string& line = console_line();
    const HostOptions* o = host().options;
    if (o == nullptr || o->echo_log) {
        line.push_back('\n');
        std::fwrite(line.data(), 1, line.size(), stdout);
        std::fflush(stdout);
        line.pop_back();
    }
    g_console_lines.fetch_add(1);
    if (o != nullptr && o->log_sink) o->log_sink(line);
    line.clear();
}

}  // namespace

void port_out(std::uint16_t port, std::uint8_t value) {
    if (port != COM1) return;  // other UART registers and foreign ports: no effect
    if (value == '\r') return;
    if (value == '\n') return emit_line();
    std::string& line = console_line();
    line.push_back(static_cast<char>(value));
    if (line.size() >= CONSOLE_LINE_MAX) emit_line();
}

std::uint8_t port_in(std::uint16_t port) {
    if (port == COM1_LSR) return LSR_THRE_TEMT;
    if (port >= COM1 && port < COM1 + 8) return 0;
    return 0xff;
}

}  // namespace umk::arch
