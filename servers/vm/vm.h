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

}  // namespace umk::vm
