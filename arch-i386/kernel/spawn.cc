// Creating and destroying the machine context of a process: an ELF32
// program from a boot module, loaded into a fresh address space with its
// own stack and info page (arch::proc_spawn, arch::proc_destroy).
#include "machine.h"
#include "umk/arch.h"
#include "umk/arch/i386.h"
#include "umk/err.h"
#include "umk/kernel.h"

extern "C" void* memcpy(void*, const void*, std::size_t);

namespace umk::i386 {
namespace {

struct Elf32Header {
    std::uint8_t ident[16];
    std::uint16_t type, machine;
    std::uint32_t version, entry, phoff, shoff, flags;
    std::uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct Elf32Phdr {
    std::uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};
constexpr std::uint32_t PT_LOAD = 1, PF_W = 2;
constexpr std::uint32_t LOAD_END = USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE - PAGE_SIZE;
constexpr std::size_t ARG_SPACE = 4096;  // strings + argv, at the top of the stack

// Check an ELF32 i386 executable completely before touching any memory.
int check_elf(const Module& m, const Elf32Header** out) {
    if (m.size < sizeof(Elf32Header)) return -ENOEXEC;
    const auto* h = reinterpret_cast<const Elf32Header*>(m.data);
    if (h->ident[0] != 0x7f || h->ident[1] != 'E' || h->ident[2] != 'L' || h->ident[3] != 'F' ||
        h->ident[4] != 1 /* 32-bit */ || h->ident[5] != 1 /* little endian */ ||
        h->type != 2 /* ET_EXEC */ || h->machine != 3 /* EM_386 */ ||
        h->phentsize != sizeof(Elf32Phdr))
        return -ENOEXEC;
    if (h->phoff > m.size || h->phnum > (m.size - h->phoff) / sizeof(Elf32Phdr)) return -ENOEXEC;
    const auto* ph = reinterpret_cast<const Elf32Phdr*>(m.data + h->phoff);
    bool entry_ok = false;
    for (int i = 0; i < h->phnum; ++i) {
        if (ph[i].type != PT_LOAD) continue;
        const std::uint64_t end = std::uint64_t{ph[i].vaddr} + ph[i].memsz;
        if (ph[i].vaddr < USER_BASE || end > LOAD_END || ph[i].filesz > ph[i].memsz ||
            ph[i].offset > m.size || ph[i].filesz > m.size - ph[i].offset)
            return -ENOEXEC;
        if (h->entry >= ph[i].vaddr && h->entry < end) entry_ok = true;
    }
    if (!entry_ok) return -ENOEXEC;
    *out = h;
    return OK;
}

int load_segments(const Module& m, const Elf32Header& h, ArchProc& a) {
    const auto* ph = reinterpret_cast<const Elf32Phdr*>(m.data + h.phoff);
    for (int i = 0; i < h.phnum; ++i) {
        const Elf32Phdr& s = ph[i];
        if (s.type != PT_LOAD || s.memsz == 0) continue;
        const bool writable = s.flags & PF_W;
        for (std::uint32_t va = s.vaddr & ~(PAGE_SIZE - 1); va < s.vaddr + s.memsz;
             va += PAGE_SIZE) {
            const std::uint32_t frame = as_map_new(a.page_dir, va, writable, &a.user_pages);
            if (!frame) return -ENOMEM;
            // The part of the file image that falls into this page.
            const std::uint32_t from = va > s.vaddr ? va : s.vaddr;
            const std::uint32_t file_end = s.vaddr + s.filesz;
            const std::uint32_t to = va + PAGE_SIZE < file_end ? va + PAGE_SIZE : file_end;
            if (from < to)
                memcpy(reinterpret_cast<void*>(frame + (from - va)),
                       m.data + s.offset + (from - s.vaddr), to - from);
        }
    }
    return OK;
}

// Lay out argv at the top of the stack: [esp] a null return address,
// [esp+4] argc, [esp+8] argv, as if _start(argc, argv) had been called.
int build_stack(Proc& p, const char* program, const char* args, std::size_t args_len,
                std::uint32_t* esp, std::uint32_t* argc_out, std::uint32_t* argv_out) {
    char strings[ARG_SPACE];
    std::size_t used = 0;
    std::uint32_t offsets[64];
    std::uint32_t argc = 0;
    auto add = [&](const char* s, std::size_t max) {
        std::size_t n = 0;
        while (n < max && s[n]) ++n;
        if (argc == 64 || used + n + 1 > sizeof strings) return false;
        offsets[argc++] = static_cast<std::uint32_t>(used);
        memcpy(strings + used, s, n);
        strings[used + n] = '\0';
        used += n + 1;
        return true;
    };
    if (!add(program, 256)) return -E2BIG;
    for (std::size_t i = 0; i < args_len;) {
        std::size_t n = 0;
        while (i + n < args_len && args[i + n]) ++n;
        if (!add(args + i, n)) return -E2BIG;
        i += n + 1;
    }
    const std::uint32_t strings_at = (USER_STACK_TOP - static_cast<std::uint32_t>(used)) & ~3u;
    std::uint32_t argv[65];
    for (std::uint32_t i = 0; i < argc; ++i) argv[i] = strings_at + offsets[i];
    argv[argc] = 0;
    const std::uint32_t argv_at = strings_at - (argc + 1) * 4;
    const std::uint32_t sp = ((argv_at - 8) & ~15u) - 4;  // esp+4 16-byte aligned
    const std::uint32_t frame[3] = {0, argc, argv_at};
    if (arch::copy_to_proc(p, strings_at, strings, used) != OK ||
        arch::copy_to_proc(p, argv_at, argv, (argc + 1) * 4) != OK ||
        arch::copy_to_proc(p, sp, frame, sizeof frame) != OK)
        return -E2BIG;
    *esp = sp;
    *argc_out = argc;
    *argv_out = argv_at;
    return OK;
}

}  // namespace

void info_page_update(Proc& p) {
    const std::uint32_t phys = as_lookup(p.p_arch.page_dir, INFO_PAGE, false);
    if (!phys) return;
    auto* ip = reinterpret_cast<InfoPage*>(phys);
    ip->endpoint = p.p_endpoint;
    ip->tsc_per_ms = tsc_per_ms();  // refined at every clock tick (timer.cc)
}

}  // namespace umk::i386

namespace umk::arch {

int proc_spawn(Proc& p, const char* program, const char* args, std::size_t args_len) {
    using namespace umk::i386;
    // A program is a boot module: by its last path component, so that a
    // host path (RS given "/usr/sbin/hello") names the same program.
    const char* name = program;
    for (const char* c = program; c && *c; ++c)
        if (*c == '/') name = c + 1;
    const Module* m = name ? module_find(name) : nullptr;
    if (!m) return -ENOENT;
    const Elf32Header* h = nullptr;
    int r = check_elf(*m, &h);
    if (r != OK) {
        kprintf("i386: boot module %s is not an ELF32 i386 executable for user space\n", m->name);
        return r;
    }
    proc_destroy(p);
    ArchProc& a = p.p_arch;
    a = ArchProc{};
    a.page_dir = as_create();
    if (!a.page_dir) return -ENOMEM;
    r = load_segments(*m, *h, a);
    for (std::uint32_t i = 1; r == OK && i <= USER_STACK_PAGES; ++i)
        if (!as_map_new(a.page_dir, USER_STACK_TOP - i * PAGE_SIZE, true, &a.user_pages))
            r = -ENOMEM;
    const std::uint32_t info =
        r == OK ? as_map_new(a.page_dir, INFO_PAGE, false, &a.user_pages) : 0;
    if (r == OK && !info) r = -ENOMEM;
    std::uint32_t esp = 0, argc = 0, argv = 0;
    if (r == OK) r = build_stack(p, program, args, args_len, &esp, &argc, &argv);
    if (r != OK) {
        proc_destroy(p);
        return r;
    }
    auto* ip = reinterpret_cast<InfoPage*>(info);
    ip->magic = INFO_MAGIC;
    ip->endpoint = p.p_endpoint;
    ip->hz = HZ;
    ip->tsc_per_ms = tsc_per_ms();
    ip->argc = argc;
    ip->argv = argv;

    TrapFrame& f = a.regs;
    f.ds = f.es = f.fs = f.gs = USER_DS;
    f.cs = USER_CS;
    f.ss = USER_DS;
    f.eip = h->entry;
    f.esp = esp;
    f.eflags = 0x202;  // IF
    return OK;
}

void proc_destroy(Proc& p) {
    using namespace umk::i386;
    proc_unready(p);
    if (p.p_arch.page_dir) as_destroy(p.p_arch.page_dir);
    p.p_arch = ArchProc{};
}

}  // namespace umk::arch
