// A default system service (no system.conf entry) playing the attacker of
// the isolation issue: it asks RS to take hello down, to shut the system
// down, to start and to update a service with every kernel call; PM to
// spawn /bin/sh and a program outside the program directory; the kernel to
// make it the log reader; and it logs binary bytes, a terminal escape and
// a line that looks like the kernel's. Every answer goes to the log as
// "intruder: WHAT = R" (tests/servers/hostile_system_test.cc checks them,
// and that the rest of the system goes on serving).
#include "st_util.h"
#include "umk/str.h"
#include "umklib/pm_proto.h"
#include "umklib/rs_proto.h"

namespace {

using namespace umk;
using umk::rs::rs_start;

void report(const char* what, int r, const message& m) {
    log_printf("intruder: %s = %d\n", what, r == OK ? m.m_type : r);
}

void rs_by_label(const char* what, int type, const char* label) {
    message m{};
    m.m_type = type;
    str::copy(m.RS_NAME, label, sizeof m.RS_NAME);
    report(what, ipc_sendrec(RS_PROC_NR, &m), m);
}

// An rs_start with every kernel call, behind a grant to RS.
void rs_with_all_calls(const char* what, int type, const char* program, const char* label) {
    static rs_start st;
    st = rs_start{};
    str::copy(st.program, program, sizeof st.program);
    str::copy(st.label, label, sizeof st.label);
    st.period = -1;
    st.state = 1;
    st.flags = rs::RSS_HAS_CONF;
    str::copy(st.conf.name, label, sizeof st.conf.name);
    st.conf.set = conf::SET_SYSTEM;
    st.conf.calls = ~std::uint64_t{0};
    const cp_grant_id_t g = cpf_grant_direct(RS_PROC_NR, vir_addr(&st), sizeof st, CPF_READ);
    message m{};
    m.m_type = type;
    m.RS_CMD_GRANT = g;
    m.RS_CMD_LEN = sizeof st;
    report(what, ipc_sendrec(RS_PROC_NR, &m), m);
    cpf_revoke(g);
}

void pm_spawn(const char* what, const char* program) {
    message m{};
    m.m_type = PM_SPAWN;
    str::copy(m.PM_PROGRAM, program, sizeof m.PM_PROGRAM);
    report(what, ipc_sendrec(PM_PROC_NR, &m), m);
}

}  // namespace

int main() {
    sef_startup();
    st::wait_ticks(20);  // let the other services come up
    rs_by_label("down hello", RS_DOWN, "hello");
    rs_by_label("refresh hello", RS_REFRESH, "hello");
    rs_by_label("shutdown", RS_SHUTDOWN, "");
    rs_with_all_calls("up with every call", RS_UP, "hello", "evil");
    rs_with_all_calls("update with every call", RS_UPDATE, "hello", "hello");
    pm_spawn("spawn /bin/sh", "/bin/sh");
    pm_spawn("spawn outside the program dir", "../../../bin/sh");
    pm_spawn("spawn cat", "cat");
    message none{};
    report("register as log reader", sys_diagctl_register(), none);
    // What the log must show escaped and labelled.
    static const char forged[] = "kernel: panic: forged\n\x1b[2J\x07 bell\x01\xfe\n";
    sys_diagctl_diag(forged, sizeof forged - 1);
    log_printf("intruder: done\n");
    for (;;) {
        message m{};
        sef_receive(ANY, &m);
    }
}
