// The arch interface: everything the core needs from the machine. The Linux
// host (arch-linux/), the i386 kernel (arch-i386/) and the unit tests' fake
// arch each implement these functions; nothing else in umk/ knows which one
// it runs on.
//
// Each arch also provides "arch_proc.h" defining `struct umk::ArchProc`, the
// per-process machine state kept inside Proc (registers, host pid, page
// tables...). It moves with the image on sys_update.
#pragma once

#include <cstddef>

#include "umk/types.h"

namespace umk {
struct Proc;

namespace arch {

// p's RTS flags became 0: it may run. If it is blocked in a trap, the trap is
// complete: p.p_retval is the result and, if MF_DELIVERMSG is set,
// p.p_delivermsg must be copied to the process (then the arch clears the flag).
void proc_ready(Proc& p);
// p's RTS flags became non-zero. If p is running in user mode, stop it.
void proc_unready(Proc& p);

// Copy between the kernel and the memory of p. OK, or -EFAULT if any byte of
// the range is not accessible to p (the copy may then be partial).
int copy_from_proc(const Proc& p, vir_bytes src, void* dst, std::size_t len);
int copy_to_proc(Proc& p, vir_bytes dst, const void* src, std::size_t len);

// Create the machine context of a process in slot p from a program (a host
// executable on Linux, a boot module on i386). `args` is a block of `args_len`
// bytes holding NUL-terminated arguments. The process must not run before
// arch::proc_ready. OK, -ENOENT (no such program), -ENOEXEC, -ENOMEM.
int proc_spawn(Proc& p, const char* program, const char* args, std::size_t args_len);
// The slot is being freed: destroy the machine context (kill the host process,
// free the address space). Must be idempotent.
void proc_destroy(Proc& p);
// sys_update swapped the images of a and b (each kept its identity fields).
// Repair whatever the arch keeps outside ArchProc (e.g. tell each process its
// endpoint, rebuild segment descriptors).
void proc_swapped(Proc& a, Proc& b);

// Kernel log output (console/serial/stdout). Not NUL-terminated.
void log_write(const char* text, std::size_t len);

// I/O ports (SYS_VDEVIO, after the caller's io ranges were checked): write
// or read one byte. i386: the real port; Linux: an emulated 16550 COM1 at
// 0x3f8 (other ports ignore writes and read 0xff).
void port_out(std::uint16_t port, std::uint8_t value);
std::uint8_t port_in(std::uint16_t port);

// Unrecoverable kernel error.
[[noreturn]] void panic(const char* why);

}  // namespace arch
}  // namespace umk
