// The process table: slot allocation, endpoint validation and the RTS flag
// transitions that tell the arch when a process may run.
#include "proc.h"
#include "arch.h"
#include "core.h"

namespace umk {

Proc proc_table[NR_TASKS + NR_PROCS];
Priv priv_table[NR_SYS_PROCS];

void rts_set(Proc& p, std::uint32_t flags) {
    const bool was_runnable = p.p_rts_flags == 0;
    p.p_rts_flags |= flags;
    if (was_runnable && p.p_rts_flags != 0) arch::proc_unready(p);
}

void rts_unset(Proc& p, std::uint32_t flags) {
    const bool was_runnable = p.p_rts_flags == 0;
    p.p_rts_flags &= ~flags;
    if (!was_runnable && p.p_rts_flags == 0) arch::proc_ready(p);
}

bool isokendpt(endpoint_t e, proc_nr_t* slot) {
    // Magic values (ANY, NONE, SELF) decode to slots far outside the table.
    const proc_nr_t s = endpoint_slot(e);
    if (!slot_in_range(s)) return false;
    const Proc& p = *proc_addr(s);
    // A free slot, or a slot reused since `e` was handed out (other generation).
    if (proc_is_free(p) || p.p_endpoint != e) return false;
    if (slot) *slot = s;
    return true;
}

Proc* endpoint_lookup(endpoint_t e) {
    proc_nr_t s;
    return isokendpt(e, &s) ? proc_addr(s) : nullptr;
}

// Everything but the identity (slot number and endpoint) back to "nothing".
// The machine context is left alone unless `arch_too` (after proc_destroy
// the arch may still want to look at what it kept, e.g. for statistics).
static void reset_image(Proc& p, bool arch_too) {
    const proc_nr_t nr = p.p_nr;
    const endpoint_t ep = p.p_endpoint;
    if (arch_too) {
        p = Proc{};
    } else {
        ArchProc keep = p.p_arch;
        p = Proc{};
        p.p_arch = keep;
    }
    p.p_nr = nr;
    p.p_endpoint = ep;
    p.p_priv = nullptr;
    p.p_sendto_e = NONE;
    p.p_getfrom_e = NONE;
    p.p_spawner = NONE;
}

Proc* proc_alloc_slot() {
    for (proc_nr_t s = 0; s < NR_PROCS; ++s) {
        Proc& p = *proc_addr(s);
        if (!proc_is_free(p)) continue;
        // The generation was bumped when the slot was freed; p_endpoint
        // already names the newcomer. It exists from now on, but may not run
        // before someone gives it privileges (MINIX: forked with RTS_NO_PRIV).
        reset_image(p, true);
        p.p_rts_flags = RTS_NO_PRIV;
        return &p;
    }
    return nullptr;
}

void proc_free_slot(Proc& p) {
    if (is_kernel_slot(p.p_nr) || proc_is_free(p)) return;
    if (proc_is_runnable(p)) rts_set(p, RTS_SLOT_FREE);
    arch::proc_destroy(p);
    if (p.p_priv && p.p_priv != user_priv()) priv_free(*p.p_priv);
    // Keep the generation with the slot so that endpoints of the old
    // occupant stay dead once the slot is reused.
    p.p_endpoint = make_endpoint(next_generation(endpoint_generation(p.p_endpoint)), p.p_nr);
    reset_image(p, false);
    p.p_rts_flags = RTS_SLOT_FREE;
}

}  // namespace umk
