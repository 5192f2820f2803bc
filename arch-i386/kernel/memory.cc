// Physical frames and address spaces.
//
// Every page directory maps [0, KERNEL_SPACE_END) 1:1 with supervisor-only
// global pages (4 MiB pages, except a 4 KiB table for the first 4 MiB so
// that page 0 stays unmapped), so the kernel reaches all of physical memory
// whatever address space is loaded. User pages live in [USER_BASE, USER_END)
// and belong to exactly one address space: no service sees another's pages.
#include "machine.h"
#include "umk/arch.h"
#include "umk/arch/i386.h"
#include "umk/kernel.h"
#include "x86.h"

extern "C" char __kernel_start[];
extern "C" char __kernel_end[];
extern "C" char kernel_stack_guard[];

namespace umk::i386 {
namespace {

constexpr std::uint32_t PG_P = 0x001, PG_RW = 0x002, PG_U = 0x004, PG_PS = 0x080, PG_G = 0x100;
constexpr std::uint32_t NR_FRAMES = KERNEL_SPACE_END / PAGE_SIZE;
constexpr std::uint32_t KERNEL_PDES = KERNEL_SPACE_END >> 22;
constexpr std::uint32_t FIRST_USER_PDE = USER_BASE >> 22, END_USER_PDE = USER_END >> 22;

// Bit set: the frame is free.
std::uint32_t free_map[NR_FRAMES / 32];
std::uint32_t nr_free;
std::uint32_t search_hint;

alignas(4096) std::uint32_t kernel_pd[1024];
alignas(4096) std::uint32_t low_pt[1024];
std::uint32_t loaded_pd;

std::uint32_t* table_at(std::uint32_t phys) {
    return reinterpret_cast<std::uint32_t*>(phys);
}

void mark(std::uint32_t frame, bool free) {
    const std::uint32_t i = frame / PAGE_SIZE;
    if (i >= NR_FRAMES) return;
    const bool was = free_map[i / 32] >> (i % 32) & 1;
    if (was == free) return;
    free_map[i / 32] ^= 1u << (i % 32);
    nr_free += free ? 1 : -1;
}

void mark_range(std::uint64_t start, std::uint64_t end, bool free) {
    // Free only whole frames inside the range; reserve every frame it touches.
    std::uint64_t s = free ? (start + PAGE_SIZE - 1) & ~std::uint64_t{PAGE_SIZE - 1}
                           : start & ~std::uint64_t{PAGE_SIZE - 1};
    const std::uint64_t e = free ? end & ~std::uint64_t{PAGE_SIZE - 1} : end;
    for (; s < e && s < KERNEL_SPACE_END; s += PAGE_SIZE) mark(static_cast<std::uint32_t>(s), free);
}

std::uint32_t c_string_end(std::uint32_t addr) {
    const char* s = reinterpret_cast<const char*>(addr);
    std::uint32_t n = 0;
    while (s[n]) ++n;
    return addr + n + 1;
}

void build_kernel_space() {
    for (std::uint32_t i = 1; i < 1024; ++i) low_pt[i] = (i * PAGE_SIZE) | PG_P | PG_RW | PG_G;
    low_pt[0] = 0;  // null pointers fault
    const auto guard = reinterpret_cast<std::uint32_t>(kernel_stack_guard);
    if (guard < 0x400000) low_pt[guard / PAGE_SIZE] = 0;  // below the kernel stack
    kernel_pd[0] = reinterpret_cast<std::uint32_t>(low_pt) | PG_P | PG_RW;
    for (std::uint32_t i = 1; i < KERNEL_PDES; ++i)
        kernel_pd[i] = (i << 22) | PG_P | PG_RW | PG_PS | PG_G;
    write_cr4(read_cr4() | 0x10 | 0x80);  // PSE, PGE
    loaded_pd = reinterpret_cast<std::uint32_t>(kernel_pd);
    write_cr3(loaded_pd);
    write_cr0(read_cr0() | 0x80000000u | 0x10000u);  // PG, WP
}

}  // namespace

void memory_init(const MultibootInfo& mbi) {
    // What is RAM: the memory map if the loader gave one, else mem_upper.
    if (mbi.flags & MBI_MMAP) {
        std::uint32_t off = 0;
        while (off + sizeof(MultibootMmapEntry) <= mbi.mmap_length) {
            const auto* e = reinterpret_cast<const MultibootMmapEntry*>(mbi.mmap_addr + off);
            if (e->type == 1) mark_range(e->addr, e->addr + e->len, true);
            off += e->size + 4;
        }
    } else if (mbi.flags & MBI_MEMORY) {
        mark_range(0x100000, 0x100000 + std::uint64_t{mbi.mem_upper} * 1024, true);
    } else {
        arch::panic("the boot loader gave no memory information");
    }
    // Reserved: low memory (BIOS, loader data), the kernel, the multiboot
    // data and the boot modules.
    mark_range(0, 0x100000, false);
    mark_range(reinterpret_cast<std::uint32_t>(__kernel_start),
               reinterpret_cast<std::uint32_t>(__kernel_end), false);
    const auto mbi_addr = reinterpret_cast<std::uint32_t>(&mbi);
    mark_range(mbi_addr, mbi_addr + sizeof mbi, false);
    if (mbi.flags & MBI_CMDLINE) mark_range(mbi.cmdline, c_string_end(mbi.cmdline), false);
    if (mbi.flags & MBI_MMAP) mark_range(mbi.mmap_addr, mbi.mmap_addr + mbi.mmap_length, false);
    if (mbi.flags & MBI_MODS) {
        const auto* mods = reinterpret_cast<const MultibootModule*>(mbi.mods_addr);
        mark_range(mbi.mods_addr, mbi.mods_addr + mbi.mods_count * sizeof(MultibootModule), false);
        for (std::uint32_t i = 0; i < mbi.mods_count; ++i) {
            mark_range(mods[i].mod_start, mods[i].mod_end, false);
            if (mods[i].string) mark_range(mods[i].string, c_string_end(mods[i].string), false);
        }
    }
    build_kernel_space();
}

std::uint32_t frame_alloc() {
    for (std::uint32_t n = 0; n < NR_FRAMES / 32; ++n) {
        const std::uint32_t w = (search_hint + n) % (NR_FRAMES / 32);
        if (!free_map[w]) continue;
        const int bit = __builtin_ctz(free_map[w]);
        const std::uint32_t frame = (w * 32 + bit) * PAGE_SIZE;
        mark(frame, false);
        search_hint = w;
        auto* p = table_at(frame);
        for (std::uint32_t i = 0; i < PAGE_SIZE / 4; ++i) p[i] = 0;
        return frame;
    }
    return 0;
}

void frame_free(std::uint32_t frame) {
    if (frame == 0 || frame % PAGE_SIZE) arch::panic("frame_free: bad frame");
    mark(frame, true);
}

std::uint32_t frames_free() {
    return nr_free;
}
std::uint32_t kernel_page_dir() {
    return reinterpret_cast<std::uint32_t>(kernel_pd);
}

std::uint32_t as_create() {
    const std::uint32_t pd = frame_alloc();
    if (!pd) return 0;
    std::uint32_t* d = table_at(pd);
    for (std::uint32_t i = 0; i < KERNEL_PDES; ++i) d[i] = kernel_pd[i];
    return pd;
}

void as_destroy(std::uint32_t page_dir) {
    if (!page_dir) return;
    if (loaded_pd == page_dir) as_switch(kernel_page_dir());
    std::uint32_t* d = table_at(page_dir);
    for (std::uint32_t i = FIRST_USER_PDE; i < END_USER_PDE; ++i) {
        if (!(d[i] & PG_P)) continue;
        std::uint32_t* t = table_at(d[i] & ~0xfffu);
        for (std::uint32_t j = 0; j < 1024; ++j)
            if (t[j] & PG_P) frame_free(t[j] & ~0xfffu);
        frame_free(d[i] & ~0xfffu);
    }
    frame_free(page_dir);
}

std::uint32_t as_map_new(std::uint32_t page_dir, std::uint32_t va, bool writable,
                         std::uint32_t* frames_used) {
    if (va < USER_BASE || va >= USER_END) return 0;
    std::uint32_t* d = table_at(page_dir);
    std::uint32_t& pde = d[va >> 22];
    if (!(pde & PG_P)) {
        const std::uint32_t pt = frame_alloc();
        if (!pt) return 0;
        ++*frames_used;
        pde = pt | PG_P | PG_RW | PG_U;
    }
    std::uint32_t& pte = table_at(pde & ~0xfffu)[(va >> 12) & 0x3ff];
    if (pte & PG_P) {
        if (writable) pte |= PG_RW;  // two segments sharing a page
        return pte & ~0xfffu;
    }
    const std::uint32_t frame = frame_alloc();
    if (!frame) return 0;
    ++*frames_used;
    pte = frame | PG_P | PG_U | (writable ? PG_RW : 0);
    return frame;
}

std::uint32_t as_lookup(std::uint32_t page_dir, std::uint32_t va, bool write) {
    if (!page_dir || va < USER_BASE || va >= USER_END) return 0;
    const std::uint32_t pde = table_at(page_dir)[va >> 22];
    if ((pde & (PG_P | PG_U)) != (PG_P | PG_U)) return 0;
    const std::uint32_t pte = table_at(pde & ~0xfffu)[(va >> 12) & 0x3ff];
    const std::uint32_t need = PG_P | PG_U | (write ? PG_RW : 0);
    if ((pte & need) != need) return 0;
    return (pte & ~0xfffu) | (va & 0xfff);
}

void as_switch(std::uint32_t page_dir) {
    if (page_dir == loaded_pd) return;
    loaded_pd = page_dir;
    write_cr3(page_dir);
}

std::uint32_t as_loaded() {
    return loaded_pd;
}

}  // namespace umk::i386
