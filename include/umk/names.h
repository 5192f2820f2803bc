// Names for numbers, for logs, tools and configuration files: errors
// ("EDEADSRCDST"), signals ("SIGSEGV") and kernel calls ("PRIVCTL", as
// system.conf's `system` lists spell them). The base library (base/) has
// the one implementation.
#pragma once

namespace umk {

// Accepts the positive or the negated form; unknown numbers give "E?".
const char* errno_name(int err);
// "SIG?" for an unknown number.
const char* sig_name(int sig);
// Kernel call name ("PRIVCTL", upper case as in MINIX) -> offset from
// KERNEL_CALL, or -1; and back (nullptr for an unused offset).
int kernel_call_by_name(const char* name);
const char* kernel_call_name(int offset);

}  // namespace umk
