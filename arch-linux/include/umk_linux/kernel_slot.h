// IN_KERNEL slots: a process slot served by C++ code inside the kernel
// process, e.g. a proxy for the control socket. To the core it is a process
// like any other (endpoint, privileges, signal manager); its "memory" is a
// buffer in the kernel process, so grants and copy_from/to_proc work on it
// (addresses are real pointers into that buffer, range-checked).
//
// Traps are asynchronous: call ipc()/kernel_call() from the kernel thread
// (a watch_fd callback, or on_trap_done); the result arrives through
// on_trap_done(), called from the event loop (never from inside the core).
//
// Register a type once (static registration, like the CLI commands), then
// name it in the boot config:   kernel 9 umkctl type=ctlsock sys ipc=all
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "umk/types.h"

namespace umk::linux_host {

class KernelSlot {
  public:
    virtual ~KernelSlot() = default;
    // The slot's memory (copy_from/to_proc ranges). Fixed for the slot's life.
    virtual std::byte* memory() = 0;
    virtual std::size_t memory_size() = 0;
    // Booted: the slot has its endpoint. Traps may start now.
    virtual void on_start(endpoint_t self) { (void)self; }
    // The trap started by ipc()/kernel_call() completed: `result` is OK or
    // -Exxx; `delivered` is the received message / kernel-call reply, or
    // nullptr. Called on the kernel thread from the event loop.
    virtual void on_trap_done(int result, const message* delivered) = 0;

    // Start a trap (kernel thread; at most one at a time: -EBUSY otherwise).
    int ipc(int call, endpoint_t ep, const message* m);
    int kernel_call(const message& m);

    endpoint_t self() const { return self_; }
    int slot() const { return slot_; }

  private:
    friend struct KernelSlotAccess;
    endpoint_t self_ = 0;
    int slot_ = -1;
};

using KernelSlotFactory = std::unique_ptr<KernelSlot> (*)(const std::string& name);

struct KernelSlotType {
    KernelSlotType(const char* type, KernelSlotFactory factory);
};
// In a .cc file: UMK_KERNEL_SLOT_TYPE(ctlsock, make_ctlsock_slot);
#define UMK_KERNEL_SLOT_TYPE(type, factory) \
    static ::umk::linux_host::KernelSlotType umk_kslot_type_##type(#type, factory)

}  // namespace umk::linux_host
