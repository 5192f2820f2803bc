// Drives PM from a system process: user processes reading /dev/hello,
// user kill rules, a user ended by a signal, and signals to system
// processes managed by RS and by PM; a crash of hello and a read through
// its restarted instance; finally the user program cat with arguments, its
// output through a devman pipe as a shell would set it up. Prints
// "PMTEST: ..." lines.
#include <cstdint>

#include "st_util.h"
#include "umk/sig.h"
#include "umk/str.h"
#include "umklib/dev_proto.h"
#include "umklib/ds.h"
#include "umklib/pm_proto.h"

namespace {

using namespace umk;

endpoint_t spawn(const char* prog) {
    message m{};
    m.m_type = PM_SPAWN;
    str::copy(m.PM_PROGRAM, prog, sizeof m.PM_PROGRAM);
    int r = ipc_sendrec(PM_PROC_NR, &m);
    if (r != OK || m.m_type != OK) {
        log_printf("PMTEST: spawn %s failed: %d %d\n", prog, r, m.m_type);
        return NONE;
    }
    return m.PM_ENDPT;
}

// The wait status, or -1000 + error.
int wait_for(endpoint_t child) {
    message m{};
    m.m_type = PM_WAIT;
    m.PM_ENDPT = child;
    int r = ipc_sendrec(PM_PROC_NR, &m);
    if (r != OK) return -1000 + r;
    if (m.m_type != OK) return -1000 + m.m_type;
    return m.PM_STATUS;
}

int kill(endpoint_t target, int sig) {
    message m{};
    m.m_type = PM_KILL;
    m.PM_ENDPT = target;
    m.PM_SIG = sig;
    int r = ipc_sendrec(PM_PROC_NR, &m);
    return r != OK ? r : m.m_type;
}

void run_user(const char* prog, const char* what) {
    endpoint_t ep = spawn(prog);
    if (ep == NONE) return;
    int st = wait_for(ep);
    if (st < 0)
        log_printf("PMTEST: %s wait failed %d\n", what, st);
    else if (pm_exited(st))
        log_printf("PMTEST: %s exit %d\n", what, pm_exit_code(st));
    else
        log_printf("PMTEST: %s signal %d\n", what, pm_term_sig(st));
}

// `cat /dev/hello /dev/nope` with its descriptors 1 and 2 on a pipe we
// read: "PMTEST: cat said <output, newlines as |> exit <code>".
void run_cat_through_a_pipe() {
    int fd[2] = {-1, -1};
    int r = dev_pipe(fd, DEVMAN_O_CLOEXEC);  // our own copies stay ours
    if (r != OK) {
        log_printf("PMTEST: FAILED: pipe %d\n", r);
        return;
    }
    // The write end to 1 and 2 without close-on-exec: dup2 to one, from
    // there to the other, then close the original.
    int a = fd[1] == 2 ? 1 : 2, b = fd[1] == 2 ? 2 : 1;
    if (dev_dup2(fd[1], a) != a || dev_dup2(a, b) != b ||
        (fd[1] != 1 && fd[1] != 2 && dev_close(fd[1]) != OK)) {
        log_printf("PMTEST: FAILED: dup2\n");
        return;
    }
    static const char args[] = "cat\0/dev/hello\0/dev/nope";
    cp_grant_id_t g = cpf_grant_direct(PM_PROC_NR, vir_addr(args), sizeof args, CPF_READ);
    message m{};
    m.m_type = PM_SPAWN;
    m.PM_ARGS_GRANT = g;
    m.PM_ARGS_LEN = sizeof args;
    r = ipc_sendrec(PM_PROC_NR, &m);
    cpf_revoke(g);
    endpoint_t child = r == OK && m.m_type == OK ? m.PM_ENDPT : NONE;
    dev_close(1);
    dev_close(2);
    if (child == NONE) {
        log_printf("PMTEST: FAILED: spawn cat %d %d\n", r, m.m_type);
        dev_close(fd[0]);
        return;
    }
    char out[200];
    int len = 0;
    for (int n; (n = dev_read(fd[0], out + len, sizeof out - 1 - len)) > 0;) len += n;
    dev_close(fd[0]);
    for (int i = 0; i < len; i++)
        if (out[i] == '\n') out[i] = '|';
    out[len] = '\0';
    int st = wait_for(child);
    log_printf("PMTEST: cat said %s exit %d\n", out,
               st >= 0 && pm_exited(st) ? pm_exit_code(st) : -1);
}

// `cat` with no argument reads descriptor 0: a pipe whose write end we
// hold, so it waits in devman until PM ends it on our SIGTERM. devman must
// forget the suspended read (nobody answers a dead process) and the pipe
// goes on: "PMTEST: cat killed while reading: signal 15, pipe <n>".
void run_cat_killed_while_reading() {
    int fd[2] = {-1, -1};
    if (dev_pipe(fd) != OK || (fd[0] != 0 && dev_dup2(fd[0], 0) != 0)) {
        log_printf("PMTEST: FAILED: pipe for stdin\n");
        return;
    }
    endpoint_t child = spawn("cat");
    if (child == NONE) return;
    st::wait_ticks(10);  // cat is reading by now
    int k = kill(child, SIGTERM);
    int st = wait_for(child);
    int n = dev_write(fd[1], "x", 1);  // devman still serves the pipe
    for (int i = 0; i < 16; i++) dev_close(i);
    log_printf("PMTEST: cat killed while reading: %s %d, kill %d, pipe %d\n",
               st >= 0 && !pm_exited(st) ? "signal" : "status", st >= 0 ? pm_term_sig(st) : st, k,
               n);
}

// cat writing into a pipe nobody reads: EPIPE and, as in MINIX, SIGPIPE,
// which ends it: "PMTEST: cat into a pipe nobody reads: signal 13".
void run_cat_into_a_closed_pipe() {
    int fd[2] = {-1, -1};
    if (dev_pipe(fd, DEVMAN_O_CLOEXEC) != OK) {
        log_printf("PMTEST: FAILED: pipe\n");
        return;
    }
    int a = fd[1] == 2 ? 1 : 2, b = fd[1] == 2 ? 2 : 1;
    dev_dup2(fd[1], a);
    dev_dup2(a, b);
    if (fd[1] != 1 && fd[1] != 2) dev_close(fd[1]);
    dev_close(fd[0]);  // no reader left
    static const char args[] = "cat\0/dev/hello";
    cp_grant_id_t g = cpf_grant_direct(PM_PROC_NR, vir_addr(args), sizeof args, CPF_READ);
    message m{};
    m.m_type = PM_SPAWN;
    m.PM_ARGS_GRANT = g;
    m.PM_ARGS_LEN = sizeof args;
    int r = ipc_sendrec(PM_PROC_NR, &m);
    cpf_revoke(g);
    dev_close(1);
    dev_close(2);
    if (r != OK || m.m_type != OK) {
        log_printf("PMTEST: FAILED: spawn cat %d %d\n", r, m.m_type);
        return;
    }
    int st = wait_for(m.PM_ENDPT);
    log_printf("PMTEST: cat into a pipe nobody reads: %s %d\n",
               st >= 0 && !pm_exited(st) ? "signal" : "exit",
               st >= 0 && !pm_exited(st) ? pm_term_sig(st) : pm_exit_code(st));
}

endpoint_t label(const char* name) {
    std::uint32_t v = 0;
    return ds_retrieve_label_num(name, &v) == OK ? static_cast<endpoint_t>(v) : NONE;
}

}  // namespace

int main() {
    sef_startup();
    st::wait_ticks(20);  // let the other services come up

    run_user("st_cat", "st_cat");
    run_user("st_kill", "st_kill");

    endpoint_t spin = spawn("st_spin");
    if (spin != NONE) {
        st::wait_ticks(5);
        log_printf("PMTEST: kill st_spin %d\n", kill(spin, SIGTERM));
        int s = wait_for(spin);
        log_printf("PMTEST: st_spin %s %d\n", s >= 0 && !pm_exited(s) ? "signal" : "status",
                   s >= 0 && !pm_exited(s) ? pm_term_sig(s) : s);
    }

    log_printf("PMTEST: kill st_sig %d\n", kill(label("st_sig"), SIGUSR1));
    log_printf("PMTEST: kill st_sigpm %d\n", kill(label("st_sigpm"), SIGUSR2));

    // hello crashes (as a system process may be told to); RS restarts it and
    // devman follows it to the new endpoint.
    endpoint_t hello = label("hello");
    log_printf("PMTEST: crash hello %d\n", kill(hello, SIGSEGV));
    for (int i = 0; i < 60 && label("hello") == hello; i++) st::wait_ticks(3);
    st::wait_ticks(10);
    run_user("st_cat", "st_cat after restart");
    run_cat_through_a_pipe();
    run_cat_killed_while_reading();
    run_cat_into_a_closed_pipe();

    log_printf("PMTEST: done\n");
    for (;;) {
        message m{};
        sef_receive(ANY, &m);
    }
}
