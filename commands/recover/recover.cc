// recover LABEL REASON RESTARTS : a recovery script (MINIX's
// /etc/rs.single, as a program: umk has no shell). RS runs it when the
// service LABEL started with `-script recover` fails, with the reason
// ("crashed", "no-heartbeat") and how often it was restarted before. It
// says so on standard output and asks RS to refresh the label, which starts
// a fresh instance. Exit status 0 once RS accepted the refresh, else 1.
//
// A user process spawned by RS: RS has no descriptors, so neither has the
// script (PM's DEVMAN_FORK copies the parent's); then the line goes to
// /dev/tty, TTY's device, i.e. the console and the system log. RS answers
// this process only for its own label (refresh, restart, down).
#include <cstddef>
#include <initializer_list>

#include "umk/err.h"
#include "umklib/dev_proto.h"
#include "umklib/ipc.h"
#include "umklib/pm_proto.h"
#include "umklib/rs_proto.h"

namespace {

using namespace umk;

constexpr int STDOUT = 1;

// One line on standard output, else on /dev/tty.
void say(std::initializer_list<const char*> parts) {
    char line[200];
    std::size_t n = 0;
    for (const char* part : parts)
        for (std::size_t i = 0; part[i] && n + 1 < sizeof line; i++) line[n++] = part[i];
    line[n++] = '\n';
    if (dev_write_all(STDOUT, line, n)) return;
    int fd = dev_open("/dev/tty");
    if (fd < 0) return;  // nowhere to say it
    dev_write_all(fd, line, n);
    dev_close(fd);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        say({"recover: usage: recover LABEL REASON RESTARTS"});
        pm_exit(1);
    }
    const char* label = argv[1];
    say({"recover: ", label, " failed (", argv[2], "), repetition ", argv[3], ": refreshing"});
    message m{};
    m.m_type = RS_REFRESH;
    std::size_t i = 0;
    for (; label[i] && i + 1 < sizeof m.RS_NAME; i++) m.RS_NAME[i] = label[i];
    m.RS_NAME[i] = '\0';
    int r = ipc_sendrec(RS_PROC_NR, &m);
    if (r == OK) r = m.m_type;
    if (r != OK) {
        say({"recover: refresh of ", label, " failed: ", errno_name(r)});
        pm_exit(1);
    }
    pm_exit(0);
}
