// Interfaces between the parts of the i386 kernel (arch-i386/kernel/).
// The core never sees this header: it talks to us through umk/arch.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include "multiboot.h"
#include "umk/proc.h"

namespace umk::i386 {

// ---- Segments (descriptors.cc) ----
inline constexpr std::uint16_t KERNEL_CS = 0x08;
inline constexpr std::uint16_t KERNEL_DS = 0x10;
inline constexpr std::uint16_t USER_CS = 0x18 | 3;
inline constexpr std::uint16_t USER_DS = 0x20 | 3;
inline constexpr std::uint16_t TSS_SEL = 0x28;
void descriptors_init();  // GDT, TSS, IDT; loads them

// ---- Serial console and machine exit (console.cc) ----
void serial_init();
void serial_write(const char* text, std::size_t len);
// Values written to QEMU's isa-debug-exit port; QEMU exits with (v << 1) | 1.
// On real hardware (no such device) the machine just halts.
enum class ExitCode : std::uint8_t { PASS = 0x10, FAIL = 0x11, PANIC = 0x12 };
[[noreturn]] void machine_exit(ExitCode code);

// ---- Interrupt controller, timer, TSC (timer.cc) ----
void pic_init();
void pic_eoi(int irq);
void pit_init(int hz);
void tsc_calibrate();           // against the PIT; before pit_init
std::uint32_t tsc_per_ms();     // 0 if unknown
void tsc_clock_tick(int hz);    // every clock interrupt: refine the TSC rate
std::uint64_t ms_since_boot();  // from the TSC

// ---- Memory (memory.cc) ----
// Physical frames come from a bitmap over [0, KERNEL_SPACE_END); the kernel
// image, the boot modules and the multiboot data are reserved.
void memory_init(const MultibootInfo& mbi);
std::uint32_t frame_alloc();  // a zeroed frame, or 0 if none is left
void frame_free(std::uint32_t frame);
std::uint32_t frames_free();
std::uint32_t kernel_page_dir();  // the page directory with only the kernel space

// Address spaces: a page directory sharing the kernel's mappings.
std::uint32_t as_create();                // 0 if out of memory
void as_destroy(std::uint32_t page_dir);  // frees every user frame and table
// Map a fresh zeroed frame at `va` (user space). Returns its physical
// address, or 0 if out of memory. `writable`: user-writable.
std::uint32_t as_map_new(std::uint32_t page_dir, std::uint32_t va, bool writable,
                         std::uint32_t* frames_used);
// The physical address behind user address `va` if the page is present and
// user-accessible (and user-writable if `write`), else 0.
std::uint32_t as_lookup(std::uint32_t page_dir, std::uint32_t va, bool write);
// Load a page directory into CR3 (skipped if it is loaded already).
void as_switch(std::uint32_t page_dir);
std::uint32_t as_loaded();

// ---- Boot modules (modules.cc) ----
void modules_init(const MultibootInfo& mbi);
struct Module {
    const std::uint8_t* data;
    std::size_t size;
    const char* name;  // basename of the first word of the module string
    const char* args;  // the rest of the module string ("" if none)
};
const Module* module_find(const char* name);
int module_count();
const Module* module_at(int i);

// ---- Processes (sched.cc, spawn.cc, copy.cc) ----
// The process whose registers are on the trap frame (nullptr: idle).
Proc* current_proc();
// Pick the next process to run, load its address space and return its
// saved registers for the trap exit; idles (hlt) while nobody is runnable.
TrapFrame* schedule();
// The running process's quantum ended: put it behind the others.
void preempt_current();
[[noreturn]] void run_first_process();
// Is user range [addr, addr+len) accessible to p (writable if `write`)?
bool user_range_ok(const Proc& p, vir_bytes addr, std::size_t len, bool write);
// Complete p's open trap: result into eax, delivered message into its buffer.
void complete_trap(Proc& p);
// Set while the core handles a trap of that process (see sched.cc).
extern Proc* trap_in_progress;
// Keep the info page's endpoint field current.
void info_page_update(Proc& p);

// ---- Boot configuration and test mode (bootconf.cc, testmode.cc) ----
// Parse the kernel command line, set up the boot processes; false on error
// (the reason is on the console).
bool boot_processes_start(const char* cmdline);
bool cmdline_has(const char* cmdline, const char* word);
void testmode_enable();
enum class LogWatch { EXPECT, FAIL, READY };
bool testmode_watch(LogWatch kind, const char* text);
void testmode_log_line(const char* line, std::size_t len);
void kernel_selftest();
extern bool trace_traps;  // kernel command line `trace`: log every trap

// ---- Runtime (runtime.cc) ----
void run_constructors();

}  // namespace umk::i386
