// PM's state across its live update or crash, seen from a parent: a system
// process (booted as "st_pm", for its SPAWN authority) spawns two st_spin
// children, has the second killed (a zombie with status SIGTERM, not waited
// for yet) and then waits for the first. The test updates or crashes PM
// meanwhile, then kills the first child from the host (SIGSEGV): the wait
// is answered by the new PM, and the zombie is still there with its status.
// Prints "PMLU: ..." lines.
#include "st_util.h"
#include "umk/sig.h"
#include "umk/str.h"
#include "umklib/pm_proto.h"

namespace {

using namespace umk;

int call(message& m) {
    const int r = ipc_sendrec(PM_PROC_NR, &m);
    return r != OK ? r : m.m_type;
}

endpoint_t spawn(const char* prog) {
    message m{};
    m.m_type = PM_SPAWN;
    str::copy(m.PM_PROGRAM, prog, sizeof m.PM_PROGRAM);
    const int r = call(m);
    if (r != OK) {
        log_printf("PMLU: FAILED: spawn %s: %d\n", prog, r);
        return NONE;
    }
    return m.PM_ENDPT;
}

// The wait status, or an error (< 0). A wait PM had suspended when it
// crashed fails with ERESTART (the kernel); the library asks again
// (pm_sendrec), and the log says how often, so the test sees it happened.
int wait_for(endpoint_t child) {
    message m{};
    m.m_type = PM_WAIT;
    m.PM_ENDPT = child;
    int retried = 0;
    const int r = pm_sendrec(&m, &retried);
    if (retried) log_printf("PMLU: wait asked again %d times after ERESTART\n", retried);
    if (r != OK) return r;
    return m.m_type != OK ? m.m_type : m.PM_STATUS;
}

void report(const char* what, int st) {
    if (st < 0)
        log_printf("PMLU: %s: error %d\n", what, st);
    else if (pm_exited(st))
        log_printf("PMLU: %s: exit %d\n", what, pm_exit_code(st));
    else
        log_printf("PMLU: %s: signal %d\n", what, pm_term_sig(st));
}

}  // namespace

int main() {
    sef_startup();
    st::wait_ticks(20);  // let the other services come up
    const endpoint_t a = spawn("st_spin");
    const endpoint_t b = spawn("st_spin");
    if (a == NONE || b == NONE) return 1;
    message m{};
    m.m_type = PM_KILL;
    m.PM_ENDPT = b;
    m.PM_SIG = SIGTERM;
    if (const int r = call(m); r != OK) log_printf("PMLU: FAILED: kill: %d\n", r);
    st::wait_ticks(5);  // PM has made b a zombie
    log_printf("PMLU: ready, waiting for %d\n", a);
    report("first child", wait_for(a));
    report("zombie", wait_for(b));
    // Nothing else is ours.
    report("no more children", wait_for(ANY));
    // PM still spawns for us.
    const endpoint_t c = spawn("st_cat");
    if (c != NONE) report("st_cat", wait_for(c));
    log_printf("PMLU: done\n");
    for (;;) st::wait_ticks(1000);
}
