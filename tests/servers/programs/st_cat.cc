// A user process: cat /dev/hello through devman. Exit 0 if it read
// "Hello, World!\n"; otherwise the step that failed (10 + ...).
#include "st_user.h"
#include "umklib/dev_proto.h"

int main() {
    using namespace umk;
    int fd = dev_open("/dev/hello");
    if (fd < 0) st::user_exit(10 + (-fd > 50 ? 50 : -fd));
    char buf[64];
    int total = 0;
    for (;;) {
        int n = dev_read(fd, buf + total, 5);  // small reads follow the offset
        if (n < 0) st::user_exit(70);
        if (n == 0) break;
        total += n;
        if (total > 50) st::user_exit(71);
    }
    const char want[] = "Hello, World!\n";
    if (total != 14) st::user_exit(72);
    for (int i = 0; i < 14; i++)
        if (buf[i] != want[i]) st::user_exit(73);
    if (dev_close(fd) != OK) st::user_exit(74);
    st::user_exit(0);
}
