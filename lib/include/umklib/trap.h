// The boundary between the arch-neutral service library and the machine:
// the two traps into the kernel plus the few things only the arch can do.
// arch-linux implements it on the SlotPage (lib/arch-linux/), i386 with
// software interrupts (lib/arch-i386/), the unit tests with a scripted fake
// kernel (tests/lib/fake_trap.cc). Nothing else in lib/ knows the machine.
#pragma once

#include "umk/types.h"

namespace umk {

// An IPC trap. `call` is SEND, RECEIVE, SENDREC, NOTIFY, SENDNB or SENDA;
// `ep` is the destination/source, or the entry count for SENDA; `m` is the
// message (in, and out for RECEIVE/SENDREC; nullptr for NOTIFY and SENDA);
// `table` is the address of the asynmsg_t table for SENDA. Returns the trap
// result: OK or a negative MINIX error.
int arch_trap_ipc(int call, endpoint_t ep, message* m, vir_bytes table);

// A kernel-call trap: the request is in *m (m_type = call number); on return
// *m holds the reply. Returns the trap result (OK when the kernel call was
// carried out; its own result is then the reply's m_type).
int arch_trap_kernel_call(message* m);

// The caller's endpoint as the kernel currently knows it (it changes when a
// live update hands the old endpoint to a new version).
endpoint_t arch_self_endpoint();

// Give up the processor for a while without consuming messages. Used only
// where a service must hang on purpose and IPC cannot block it.
void arch_idle();

// Last resort when sys_exit failed: leave without the kernel's help.
[[noreturn]] void arch_exit(int status);

}  // namespace umk
