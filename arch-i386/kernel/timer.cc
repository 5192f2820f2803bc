// The 8259 interrupt controllers (remapped to IRQ0_VECTOR), the 8254 timer
// (channel 0 at umk::HZ for the clock, channel 2 once to calibrate the
// TSC), and the TSC as the kernel's fine clock for measurements.
#include "machine.h"
#include "umk/arch/i386.h"
#include "x86.h"

namespace umk::i386 {
namespace {

constexpr std::uint16_t PIC1_CMD = 0x20, PIC1_DATA = 0x21;
constexpr std::uint16_t PIC2_CMD = 0xa0, PIC2_DATA = 0xa1;
constexpr std::uint32_t PIT_HZ = 1193182;

std::uint32_t tsc_rate;  // TSC counts per millisecond
std::uint64_t tsc_at_boot;
// Recalibration against the clock interrupts: under QEMU TCG the one-shot
// 10 ms calibration is noisy (the TSC follows the host, the PIT the virtual
// clock); over many ticks the estimate settles.
std::uint64_t tsc_at_first_tick;
std::uint64_t ticks_seen;

void io_wait() {
    outb(0x80, 0);
}

}  // namespace

void pic_init() {
    outb(PIC1_CMD, 0x11);  // ICW1: init, ICW4 follows
    io_wait();
    outb(PIC2_CMD, 0x11);
    io_wait();
    outb(PIC1_DATA, IRQ0_VECTOR);  // ICW2: vector bases
    io_wait();
    outb(PIC2_DATA, IRQ0_VECTOR + 8);
    io_wait();
    outb(PIC1_DATA, 0x04);  // ICW3: slave on IRQ2
    io_wait();
    outb(PIC2_DATA, 0x02);
    io_wait();
    outb(PIC1_DATA, 0x01);  // ICW4: 8086 mode
    io_wait();
    outb(PIC2_DATA, 0x01);
    io_wait();
    // Only the timer (IRQ0) and the cascade (IRQ2): there are no drivers
    // taking interrupts yet.
    outb(PIC1_DATA, static_cast<std::uint8_t>(~0x05));
    outb(PIC2_DATA, 0xff);
}

void pic_eoi(int irq) {
    if (irq >= 8) outb(PIC2_CMD, 0x20);
    outb(PIC1_CMD, 0x20);
}

void pit_init(int hz) {
    const std::uint32_t divisor = PIT_HZ / static_cast<std::uint32_t>(hz);
    outb(0x43, 0x34);  // channel 0, lobyte/hibyte, rate generator
    outb(0x40, static_cast<std::uint8_t>(divisor & 0xff));
    outb(0x40, static_cast<std::uint8_t>(divisor >> 8));
}

void tsc_calibrate() {
    tsc_at_boot = rdtsc();
    // Channel 2 in one-shot mode for 10 ms; its output shows in port 0x61 bit 5.
    constexpr std::uint32_t count = PIT_HZ / 100;
    outb(0x61, static_cast<std::uint8_t>((inb(0x61) & ~0x02) | 0x01));  // gate on, speaker off
    outb(0x43, 0xb0);  // channel 2, lobyte/hibyte, mode 0
    outb(0x42, count & 0xff);
    outb(0x42, count >> 8);
    const std::uint64_t start = rdtsc();
    std::uint32_t spins = 0;
    while (!(inb(0x61) & 0x20) && ++spins < 100000000u) {
    }
    const std::uint64_t elapsed = rdtsc() - start;
    tsc_rate = static_cast<std::uint32_t>(elapsed / 10);
}

std::uint32_t tsc_per_ms() {
    return tsc_rate;
}

void tsc_clock_tick(int hz) {
    const std::uint64_t now = rdtsc();
    if (ticks_seen++ == 0) {
        tsc_at_first_tick = now;
        return;
    }
    const std::uint64_t ms_x = (ticks_seen - 1) * 1000;  // elapsed ms times hz
    const std::uint64_t rate = (now - tsc_at_first_tick) * static_cast<std::uint64_t>(hz) / ms_x;
    if (rate > 0 && rate < 0xffffffffu) tsc_rate = static_cast<std::uint32_t>(rate);
}

std::uint64_t ms_since_boot() {
    if (tsc_rate == 0) return 0;
    return (rdtsc() - tsc_at_boot) / tsc_rate;
}

}  // namespace umk::i386
