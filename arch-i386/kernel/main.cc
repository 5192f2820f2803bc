// The i386 kernel's entry from boot.S: set up the machine, hand the boot
// processes to the core, and run them.
#include "machine.h"
#include "umk/arch.h"
#include "umk/arch/i386.h"
#include "umk/config.h"
#include "umk/kernel.h"
#include "x86.h"

extern "C" [[noreturn]] void kernel_main(std::uint32_t magic, std::uint32_t info_addr) {
    using namespace umk;
    using namespace umk::i386;
    serial_init();
    run_constructors();
    kprintf("\numk i386 kernel\n");
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        kprintf("i386: not started by a multiboot loader (eax 0x%x)\n", magic);
        arch::panic("no multiboot information");
    }
    const auto& mbi = *reinterpret_cast<const MultibootInfo*>(info_addr);
    const char* cmdline =
        (mbi.flags & MBI_CMDLINE) ? reinterpret_cast<const char*>(mbi.cmdline) : "";
    if (mbi.flags & MBI_LOADER_NAME)
        kprintf("i386: loaded by %s\n", reinterpret_cast<const char*>(mbi.boot_loader_name));
    kprintf("i386: command line: %s\n", cmdline);
    if (cmdline_has(cmdline, "test")) testmode_enable();
    if (cmdline_has(cmdline, "trace")) trace_traps = true;

    descriptors_init();
    modules_init(mbi);  // before memory_init: module strings may lie in free RAM
    memory_init(mbi);
    // No FPU for anybody (CR0.EM): services are built without it, and the
    // kernel saves no FPU state.
    write_cr0((read_cr0() | 0x4) & ~0x8u);
    tsc_calibrate();
    pic_init();
    pit_init(HZ);
    kprintf("i386: %u KiB free, %d boot modules, TSC %u kHz, clock %d Hz\n",
            frames_free() * (PAGE_SIZE / 1024), module_count(), tsc_per_ms(), HZ);

    if (!boot_processes_start(cmdline)) arch::panic("cannot start the boot processes");
    if (cmdline_has(cmdline, "selftest")) kernel_selftest();
    if (cmdline_has(cmdline, "kfault")) {
        // Test of the ring-0 exception path: a null write in the kernel must
        // end in a panic on the console and ExitCode::PANIC.
        kprintf("i386: kfault: writing through a null pointer in the kernel\n");
        *static_cast<volatile std::uint32_t*>(nullptr) = 1;
    }
    boot_start();
    kprintf("i386: boot processes started after %u ms\n", static_cast<unsigned>(ms_since_boot()));
    run_first_process();
}
