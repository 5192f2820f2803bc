// Kernel-side checks at boot (kernel command line `selftest`), run after
// the boot processes are loaded and before any of them runs: the memory
// protection that every other guarantee rests on. Each check prints one
// line; a failure ends a test boot with ExitCode::FAIL.
#include "machine.h"
#include "umk/arch.h"
#include "umk/arch/i386.h"
#include "umk/err.h"
#include "umk/kernel.h"

namespace umk::i386 {
namespace {

int passed, failed;

void check(bool ok, const char* what) {
    if (ok) {
        ++passed;
    } else {
        ++failed;
        kprintf("selftest: FAILED: %s\n", what);
    }
}

Proc* first_loaded(Proc* after) {
    for (int nr = 0; nr < NR_PROCS; ++nr) {
        Proc* p = proc_addr(nr);
        if (p != after && !proc_is_free(*p) && p->p_arch.page_dir) return p;
    }
    return nullptr;
}

}  // namespace

void kernel_selftest() {
    Proc* a = first_loaded(nullptr);
    Proc* b = a ? first_loaded(a) : nullptr;
    if (!a || !b) {
        kprintf("selftest: needs two boot processes\n");
        machine_exit(ExitCode::FAIL);
    }
    char buf[64] = {};
    const char pattern[] = "umk selftest pattern crossing a page boundary";
    // The argument strings sit just below USER_STACK_TOP; use the bottom of
    // the stack, which is unused yet, across the boundary of two pages.
    const vir_bytes stack_lo = USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE;
    const vir_bytes across = stack_lo + PAGE_SIZE - 10;

    check(arch::copy_to_proc(*a, across, pattern, sizeof pattern) == OK,
          "copy_to_proc into the process's stack");
    check(arch::copy_from_proc(*a, across, buf, sizeof pattern) == OK &&
              __builtin_memcmp(buf, pattern, sizeof pattern) == 0,
          "copy_from_proc reads back what was written, across a page boundary");
    check(arch::copy_from_proc(*b, across, buf, sizeof pattern) == OK &&
              __builtin_memcmp(buf, pattern, sizeof pattern) != 0,
          "the same address in another process is other memory");
    check(arch::copy_from_proc(*a, 0x100000, buf, 16) == -EFAULT,
          "kernel addresses are not readable as process memory");
    check(arch::copy_to_proc(*a, 0x100000, buf, 16) == -EFAULT,
          "kernel addresses are not writable as process memory");
    check(arch::copy_to_proc(*a, INFO_PAGE, buf, 4) == -EFAULT,
          "the read-only info page is not writable through the kernel");
    check(arch::copy_from_proc(*a, INFO_PAGE, buf, 4) == OK, "the info page is readable");
    check(arch::copy_from_proc(*a, stack_lo - 4, buf, 8) == -EFAULT,
          "a range reaching into the guard below the stack faults");
    check(arch::copy_from_proc(*a, USER_END - 4, buf, 8) == -EFAULT,
          "a range crossing the end of user space faults");
    check(arch::copy_from_proc(*a, vir_bytes{1} << 32 | USER_BASE, buf, 4) == -EFAULT,
          "an address above 4 GiB faults");
    check(arch::copy_from_proc(*a, ~vir_bytes{0} - 2, buf, 8) == -EFAULT,
          "a wrapping range faults");
    check(
        arch::copy_from_proc(*a, vir_bytes{0xffffffff00000000ull} | (stack_lo + 16), buf, 8) == OK,
        "a sign-extended 32-bit pointer (as GCC widens one) is the same address");
    check(user_range_ok(*a, USER_BASE, 4, false), "the program's first page is mapped");

    Proc* free_slot = nullptr;
    for (int nr = NR_PROCS - 1; nr >= 0 && !free_slot; --nr)
        if (proc_is_free(*proc_addr(nr))) free_slot = proc_addr(nr);
    if (free_slot) {
        const std::uint32_t before = frames_free();
        check(arch::proc_spawn(*free_slot, "no-such-program", nullptr, 0) == -ENOENT,
              "spawning an unknown program gives ENOENT");
        const Module* m = module_at(0);
        int r = -1;
        for (int i = 0; i < module_count(); ++i) {
            m = module_at(i);
            const char* n = m->name;
            std::size_t len = 0;
            while (n[len]) ++len;
            if (len > 5 && __builtin_memcmp(n + len - 5, ".conf", 5) == 0) continue;  // text
            r = arch::proc_spawn(*free_slot, m->name, "x\0y", 4);
            if (r != -ENOEXEC) break;
        }
        check(r == OK && free_slot->p_arch.page_dir != 0, "a module loads into a free slot");
        arch::proc_destroy(*free_slot);
        arch::proc_destroy(*free_slot);  // idempotent
        check(free_slot->p_arch.page_dir == 0 && frames_free() == before,
              "proc_destroy frees every frame of the address space");
    }

    kprintf("selftest: %d kernel-side checks passed, %d failed\n", passed, failed);
    if (failed) machine_exit(ExitCode::FAIL);
}

}  // namespace umk::i386
