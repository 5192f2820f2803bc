// VM's process records and requests (MINIX servers/vm: vmproc.h, rs.c).
// On the Linux host the pages belong to the host process, so a record holds
// what identifies the memory image: which program was loaded into the slot
// (an image id), plus bookkeeping. What VM_RS_UPDATE must get right is the
// MINIX rule: after the kernel swapped two images, VM swaps the records too,
// and each slot keeps its endpoint.
#pragma once

#include <cstdint>

#include "umk/config.h"
#include "umk/types.h"

namespace umk::vm {

struct VmProc {
    bool in_use;
    endpoint_t vm_endpoint;  // stays with the slot
    proc_nr_t vm_slot;       // stays with the slot
    std::uint64_t image;     // moves with the image
    char name[PROC_NAME_LEN];
    int updates;  // moves with the image: live updates it went through
};

// Reset; `rs` is the only endpoint allowed to ask for VM_RS_UPDATE.
void vm_init(endpoint_t self, endpoint_t rs);
// A process VM learned about (from the kernel's process table at init, or
// lazily when a request names it).
VmProc* vm_learn(endpoint_t ep, const char* name);
const VmProc* vm_record(endpoint_t ep);

int do_rs_update(message& m);
int do_info(message& m);
int handle_request(message& m);

// After the kernel swapped the images at `a` and `b` (VM_RS_UPDATE, or RS's
// own sys_update when VM itself was updated or restarted): the records swap
// too, each slot keeping its endpoint; both count an update. -EINVAL if
// either is no process slot.
int vm_swap_records(endpoint_t a, endpoint_t b);

// The kernel's process table says what exists now: records of free slots go,
// a slot with another endpoint is a new process, unknown processes are learned.
struct ProcTabEntry {
    endpoint_t endpoint;
    bool free;
    const char* name;
};
void vm_reconcile(const ProcTabEntry* procs, int n);

// ---- State transfer (SEF checkpoint, umklib/sef_state.h) ----
// What crosses VM's live update and crash: every record and the next image id.
inline constexpr std::uint32_t VM_STATE_VERSION = 1;
inline constexpr std::uint32_t VM_STATE_MAGIC = 0x54534d56;  // "VMST"

struct VmRecord {
    std::uint32_t in_use;
    endpoint_t endpoint;
    std::int32_t slot;
    std::int32_t updates;
    std::uint64_t image;
    char name[PROC_NAME_LEN];
};

struct VmState {
    std::uint32_t magic;
    std::uint32_t nr_procs;     // NR_PROCS of the writer
    std::uint32_t record_size;  // sizeof(VmRecord)
    std::uint32_t pad;
    std::uint64_t next_image;
    VmRecord procs[NR_PROCS];
};

void vm_state_save(VmState* out);
// Replaces the records with the state's, checking each like hostile input
// (slot and endpoint agree, name terminated, image ids unique and below the
// next id): a damaged record is dropped and logged (VM learns the process
// again from the kernel). -EINVAL (logged, nothing changed) for a state of
// another layout. *kept / *dropped count the records.
int vm_state_load(const VmState& in, int* kept, int* dropped);
// Bumped by every change of the records: VM checkpoints when it moved.
std::uint64_t vm_changes();

}  // namespace umk::vm
