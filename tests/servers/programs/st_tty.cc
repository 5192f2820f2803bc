// For tests/servers/tty_system_test.cc: a system service (system.conf
// `st_tty`: VDEVIO allowed, no io range) that checks it gets EPERM for the
// console's ports, uses /dev/tty through devman, and then logs numbered
// lines ("st_tty: line N.") at a steady pace while the test kills TTY, so
// the test can count every line exactly once.
#include "st_util.h"
#include "umklib/dev_proto.h"

namespace {

using namespace umk;

constexpr int LINES = 600;

void checks() {
    pvb_pair out{0x3f8, 'X', 0};
    log_printf("st_tty: voutb without io range: %d\n", sys_voutb(&out, 1));
    pvb_pair in{0x3fd, 0, 0};
    log_printf("st_tty: vinb without io range: %d\n", sys_vinb(&in, 1));

    static const char text[] = "st_tty: written to /dev/tty\n";
    const int fd = dev_open("/dev/tty");
    const int w = fd >= 0 ? dev_write(fd, text, sizeof text - 1) : fd;
    char buf[16];
    const int r = fd >= 0 ? dev_read(fd, buf, sizeof buf) : fd;
    const int c = fd >= 0 ? dev_close(fd) : fd;
    log_printf("st_tty: /dev/tty open %s write %d read %d close %d\n", fd >= 0 ? "ok" : "failed", w,
               r, c);
    log_printf("st_tty: checks done\n");
}

}  // namespace

int main() {
    sef_startup();
    st::wait_ticks(20);  // let the other services come up
    checks();
    for (int i = 0; i < LINES; ++i) {
        log_printf("st_tty: line %d.\n", i);
        if (i % 2 == 1) st::wait_ticks(1);
    }
    log_printf("st_tty: done\n");
    for (;;) {
        message m{};
        sef_receive(ANY, &m);
    }
}
