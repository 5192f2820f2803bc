// Segments and gates: a flat GDT with ring-0 and ring-3 code/data segments
// and one TSS (whose esp0 is the kernel stack every trap from ring 3 lands
// on), and the IDT.
#include <cstdint>

#include "machine.h"
#include "umk/arch/i386.h"

extern "C" const std::uint32_t trap_stubs[256];
extern "C" char kernel_stack_top[];

namespace umk::i386 {
namespace {

struct __attribute__((packed)) Tss {
    std::uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    std::uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    std::uint32_t es, cs, ss, ds, fs, gs, ldt;
    std::uint16_t trap, iomap_base;
};

struct __attribute__((packed)) TablePointer {
    std::uint16_t limit;
    std::uint32_t base;
};

alignas(8) std::uint64_t gdt[6];
alignas(8) std::uint64_t idt[256];
Tss tss;

constexpr std::uint64_t segment(std::uint32_t base, std::uint32_t limit, std::uint8_t access,
                                std::uint8_t flags) {
    return (limit & 0xffffull) | ((base & 0xffffffull) << 16) | (std::uint64_t{access} << 40) |
           ((std::uint64_t{limit} >> 16 & 0xf) << 48) | (std::uint64_t{flags} << 52) |
           ((std::uint64_t{base} >> 24) << 56);
}

// An interrupt gate (IF cleared on entry: the kernel is not reentrant).
void set_gate(int vector, int dpl) {
    const std::uint32_t off = trap_stubs[vector];
    const std::uint8_t type = static_cast<std::uint8_t>(0x8e | (dpl << 5));
    idt[vector] = (off & 0xffffull) | (std::uint64_t{KERNEL_CS} << 16) |
                  (std::uint64_t{type} << 40) | ((std::uint64_t{off} >> 16) << 48);
}

}  // namespace

void descriptors_init() {
    gdt[0] = 0;
    gdt[1] = segment(0, 0xfffff, 0x9a, 0xc);  // kernel code
    gdt[2] = segment(0, 0xfffff, 0x92, 0xc);  // kernel data
    gdt[3] = segment(0, 0xfffff, 0xfa, 0xc);  // user code (DPL 3)
    gdt[4] = segment(0, 0xfffff, 0xf2, 0xc);  // user data (DPL 3)
    tss.ss0 = KERNEL_DS;
    tss.esp0 = reinterpret_cast<std::uint32_t>(kernel_stack_top);
    // No I/O permission bitmap (base past the limit) and IOPL 0: ring 3
    // can reach no I/O port.
    tss.iomap_base = sizeof(Tss);
    gdt[5] = segment(reinterpret_cast<std::uint32_t>(&tss), sizeof(Tss) - 1, 0x89, 0x0);

    const TablePointer gp{sizeof gdt - 1, reinterpret_cast<std::uint32_t>(gdt)};
    asm volatile(
        "lgdt %0\n\t"
        "ljmp %1, $1f\n"
        "1:\n\t"
        "mov %2, %%ax\n\t"
        "mov %%ax, %%ds\n\t"
        "mov %%ax, %%es\n\t"
        "mov %%ax, %%fs\n\t"
        "mov %%ax, %%gs\n\t"
        "mov %%ax, %%ss\n\t"
        "ltr %w3\n\t"
        :
        : "m"(gp), "i"(KERNEL_CS), "i"(KERNEL_DS), "r"(TSS_SEL)
        : "eax", "memory");

    for (int v = 0; v < 32; ++v) set_gate(v, 0);
    set_gate(KERNEL_CALL_VECTOR, 3);
    set_gate(IPC_VECTOR, 3);
    for (int v = IRQ0_VECTOR; v < IRQ0_VECTOR + 16; ++v) set_gate(v, 0);
    const TablePointer ip{sizeof idt - 1, reinterpret_cast<std::uint32_t>(idt)};
    asm volatile("lidt %0" : : "m"(ip) : "memory");
}

}  // namespace umk::i386
