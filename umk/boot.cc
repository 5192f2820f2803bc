// Boot: reset the tables, set up the kernel tasks and the boot processes
// (MINIX kernel/main.c), and let the privileged boot processes run.
#include "arch.h"
#include "core.h"
#include "kernel.h"
#include "proc.h"
#include "umk/err.h"

namespace umk {
namespace {

// Boot processes are held with RTS_PROC_STOP between kernel_init and
// boot_start (while the arch creates their machine contexts). Remember which
// stop is ours so that boot_start releases only those.
bool boot_stopped[NR_PROCS];

struct KernelTask {
    proc_nr_t nr;
    const char* name;
    std::uint32_t flags;
    std::uint32_t trap_mask;
};

// MINIX kernel/table.c: kernel tasks are system processes; CLOCK and SYSTEM
// may only RECEIVE; none of them sends or makes kernel calls.
constexpr KernelTask kernel_tasks[] = {
    {IDLE, "idle", SYS_PROC | BILLABLE, 0},
    {CLOCK, "clock", SYS_PROC, 1u << RECEIVE},
    {SYSTEM, "system", SYS_PROC, 1u << RECEIVE},
    {KERNEL, "kernel", SYS_PROC, 0},
};

void set_name(Proc& p, const char* name) {
    int i = 0;
    for (; name && name[i] && i < PROC_NAME_LEN - 1; ++i) p.p_name[i] = name[i];
    for (; i < PROC_NAME_LEN; ++i) p.p_name[i] = '\0';
}

void reset_slot(proc_nr_t nr) {
    Proc& p = *proc_addr(nr);
    p = Proc{};
    p.p_nr = nr;
    p.p_endpoint = make_endpoint(0, nr);
    p.p_priv = nullptr;
    p.p_rts_flags = RTS_SLOT_FREE;
    p.p_sendto_e = NONE;
    p.p_getfrom_e = NONE;
    p.p_spawner = NONE;
}

int name_length(const char* name) {
    int n = 0;
    while (name && name[n]) ++n;
    return n;
}

// Everything about a boot table that would make kernel_init half-done.
int check_boot_table(const BootProc* boot, int nr_boot) {
    if (nr_boot < 0 || (nr_boot > 0 && !boot)) {
        kprintf("kernel_init: bad boot table (%d entries)\n", nr_boot);
        return -EINVAL;
    }
    for (int i = 0; i < nr_boot; ++i) {
        const BootProc& b = boot[i];
        if (b.nr < 0 || b.nr >= NR_PROCS) {
            kprintf("kernel_init: boot process %d: slot %d out of range\n", i, b.nr);
            return -EINVAL;
        }
        for (int j = 0; j < i; ++j) {
            if (boot[j].nr == b.nr) {
                kprintf("kernel_init: slot %d given twice in the boot table\n", b.nr);
                return -EINVAL;
            }
        }
        const int len = name_length(b.name);
        if (len == 0 || len >= PROC_NAME_LEN) {
            kprintf("kernel_init: boot process in slot %d: name empty or longer than %d\n", b.nr,
                    PROC_NAME_LEN - 1);
            return -EINVAL;
        }
        if (b.has_priv) {
            const sys_id_t id = static_priv_id(b.nr);
            if (id >= NR_STATIC_PRIV_IDS || id == USER_PRIV_ID) {
                kprintf(
                    "kernel_init: boot process %s (slot %d) cannot have a static privilege id\n",
                    b.name, b.nr);
                return -EINVAL;
            }
        }
    }
    return OK;
}

}  // namespace

int kernel_init(const BootProc* boot, int nr_boot) {
    const int r = check_boot_table(boot, nr_boot);
    if (r != OK) return r;

    for (proc_nr_t nr = -NR_TASKS; nr < NR_PROCS; ++nr) reset_slot(nr);
    for (bool& b : boot_stopped) b = false;
    priv_reset_all();  // the privileges' alarm timers go with them ...
    clock_reset();     // ... so the timer list must go too
    kmess_reset();     // no reader registered: the log is written directly

    for (const KernelTask& t : kernel_tasks) {
        Proc& p = *proc_addr(t.nr);
        Priv* pr = priv_alloc(static_priv_id(t.nr), false);
        if (!pr) arch::panic("kernel_init: no privilege slot for a kernel task");
        pr->s_proc_nr = t.nr;
        pr->s_flags = t.flags;
        pr->s_trap_mask = t.trap_mask;
        p.p_priv = pr;
        set_name(p, t.name);
        // Kernel tasks run inside the kernel: the arch never schedules them,
        // but they count as alive (endpoint checks) and idle (rts 0).
        p.p_rts_flags = 0;
    }

    for (int i = 0; i < nr_boot; ++i) {
        const BootProc& b = boot[i];
        Proc& p = *proc_addr(b.nr);
        set_name(p, b.name);
        p.p_rts_flags = RTS_PROC_STOP;
        boot_stopped[b.nr] = true;
        if (!b.has_priv) {
            p.p_rts_flags |= RTS_NO_PRIV;
            continue;
        }
        Priv* pr = priv_alloc(static_priv_id(b.nr), false);
        if (!pr) arch::panic("kernel_init: static privilege id taken twice");
        pr->s_proc_nr = b.nr;
        pr->s_flags = b.priv.flags;
        pr->s_trap_mask = b.priv.trap_mask;
        if (b.priv.ipc_to_all) {
            pr->s_ipc_to.fill();
            // Symmetric, as SYS_PRIVCTL keeps send masks: a boot process that
            // may call everyone may be called by user processes too (RS:
            // its recovery scripts ask it to refresh their service).
            user_priv()->s_ipc_to.set(pr->s_id);
        }
        if (b.priv.all_calls)
            pr->s_k_call_mask.fill();
        else
            priv_set_basic_calls(*pr);
        pr->s_sig_mgr = b.priv.sig_mgr == SELF ? p.p_endpoint : b.priv.sig_mgr;
        p.p_priv = pr;
    }
    return OK;
}

void boot_start() {
    for (proc_nr_t nr = 0; nr < NR_PROCS; ++nr) {
        if (!boot_stopped[nr]) continue;
        boot_stopped[nr] = false;
        Proc& p = *proc_addr(nr);
        if (!proc_is_free(p)) rts_unset(p, RTS_PROC_STOP);
    }
}

}  // namespace umk
