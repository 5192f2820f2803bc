// The raw kernel-call trap (MINIX _kernel_call).
#include "umklib/syslib.h"
#include "umklib/trap.h"

namespace umk {

int kernel_call(int call, message* m) {
    m->m_type = call;
    const int r = arch_trap_kernel_call(m);
    // A failed trap (bad message address, call not permitted at the trap
    // level) has no reply; otherwise the call's own result is in m_type.
    if (r != OK) return r;
    return m->m_type;
}

}  // namespace umk
