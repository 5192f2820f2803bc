// Copies between the kernel and a process's memory (arch::copy_from_proc,
// arch::copy_to_proc). They walk the target's page tables, page by page, so
// they work whichever address space is loaded; any byte that is not a
// present user page of the target (writable, for copy_to) gives -EFAULT.
// Kernel addresses are never user pages, so a service cannot make the
// kernel read or write kernel memory on its behalf (this is what makes
// SAFECOPY between address spaces safe).
#include "machine.h"
#include "umk/arch.h"
#include "umk/arch/i386.h"
#include "umk/err.h"

extern "C" void* memcpy(void*, const void*, std::size_t);

namespace umk::i386 {
namespace {

// A 32-bit process's address as a vir_bytes: zero-extended, or
// sign-extended (GCC converts a pointer to a wider integer by sign
// extension, so reinterpret_cast<vir_bytes>(p) of a stack address
// 0xbfff.... gives 0xffffffffbfff....). Both mean the same 32-bit address.
vir_bytes canonical(vir_bytes addr) {
    const auto high = static_cast<std::uint32_t>(addr >> 32);
    if (high == 0xffffffffu && (addr & 0x80000000u)) return addr & 0xffffffffu;
    return addr;
}

// Calls fn(phys, offset, n) for each page-sized piece; false on a hole.
template <typename Fn>
bool walk(const Proc& p, vir_bytes addr, std::size_t len, bool write, Fn fn) {
    if (len == 0) return true;
    addr = canonical(addr);
    if (addr >= USER_END || len > USER_END - addr) return false;
    std::uint32_t va = static_cast<std::uint32_t>(addr);
    std::size_t done = 0;
    while (done < len) {
        const std::uint32_t phys = as_lookup(p.p_arch.page_dir, va, write);
        if (!phys) return false;
        std::size_t n = PAGE_SIZE - (va & (PAGE_SIZE - 1));
        if (n > len - done) n = len - done;
        fn(phys, done, n);
        done += n;
        va += static_cast<std::uint32_t>(n);
    }
    return true;
}

}  // namespace

bool user_range_ok(const Proc& p, vir_bytes addr, std::size_t len, bool write) {
    return walk(p, addr, len, write, [](std::uint32_t, std::size_t, std::size_t) {});
}

}  // namespace umk::i386

namespace umk::arch {

int copy_from_proc(const Proc& p, vir_bytes src, void* dst, std::size_t len) {
    auto* out = static_cast<char*>(dst);
    const bool ok =
        i386::walk(p, src, len, false, [&](std::uint32_t phys, std::size_t off, std::size_t n) {
            memcpy(out + off, reinterpret_cast<const void*>(phys), n);
        });
    return ok ? OK : -EFAULT;
}

int copy_to_proc(Proc& p, vir_bytes dst, const void* src, std::size_t len) {
    const auto* in = static_cast<const char*>(src);
    const bool ok =
        i386::walk(p, dst, len, true, [&](std::uint32_t phys, std::size_t off, std::size_t n) {
            memcpy(reinterpret_cast<void*>(phys), in + off, n);
        });
    return ok ? OK : -EFAULT;
}

}  // namespace umk::arch
