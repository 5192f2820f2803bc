// Privileged i386 instructions the kernel needs, as inline functions.
#pragma once

#include <cstdint>

namespace umk::i386 {

inline void outb(std::uint16_t port, std::uint8_t v) {
    asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
inline std::uint8_t inb(std::uint16_t port) {
    std::uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
inline void outl(std::uint16_t port, std::uint32_t v) {
    asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

inline std::uint32_t read_cr0() {
    std::uint32_t v;
    asm volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
inline void write_cr0(std::uint32_t v) {
    asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}
inline std::uint32_t read_cr2() {
    std::uint32_t v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
inline std::uint32_t read_cr3() {
    std::uint32_t v;
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
inline void write_cr3(std::uint32_t v) {
    asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}
inline std::uint32_t read_cr4() {
    std::uint32_t v;
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
inline void write_cr4(std::uint32_t v) {
    asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

inline std::uint64_t rdtsc() {
    std::uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (std::uint64_t{hi} << 32) | lo;
}

inline void cli() {
    asm volatile("cli" ::: "memory");
}
// sti; hlt as one sequence: an interrupt arriving between them still wakes
// the hlt (sti takes effect after the next instruction).
inline void wait_for_interrupt() {
    asm volatile("sti; hlt; cli" ::: "memory");
}

}  // namespace umk::i386
