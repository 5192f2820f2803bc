// A user process trying to kill system processes through PM: every
// termination signal must be refused (EPERM). Exit 0 if so.
#include "st_user.h"
#include "umk/err.h"
#include "umk/sig.h"
#include "umklib/ds.h"

int main() {
    using namespace umk;
    const int sigs[] = {SIGKILL, SIGSEGV, SIGABRT, SIGILL};
    for (int i = 0; i < 4; i++) {
        message m{};
        m.m_type = PM_KILL;
        m.PM_ENDPT = DS_PROC_NR;
        m.PM_SIG = sigs[i];
        int r = ipc_sendrec(PM_PROC_NR, &m);
        if (r != OK) st::user_exit(20 + i);
        if (m.m_type != -EPERM) st::user_exit(30 + i);
    }
    st::user_exit(0);
}
