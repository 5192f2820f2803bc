// i386_lu_client: the MINIX hello live-update demo without a shell, as a
// boot process that talks to RS and devman like `service` and `cat` would:
//   1. RS_UP hello (program "hello"), open and read /dev/hello twice;
//   2. RS_UPDATE hello to program "hello_v2" (state: work free);
//   3. open and read /dev/hello again: the new version answers and the
//      open counter went on (it travelled through DS);
//   4. RS_UPDATE hello back to "hello" with the new version's init forced
//      to fail (`service update -y`): RS rolls back at once, the request
//      fails with ENOSYS and hello_v2 goes on serving with its counter.
// Logs "lu: ..." lines; "lu: done" at the end.
#include "rs_client.h"
#include "umk/com.h"
#include "umk/err.h"
#include "umklib/dev_proto.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/rs_proto.h"
#include "umklib/sef.h"
#include "umklib/syslib.h"

namespace {

using namespace umk;
using i386_test::rs_request;
using i386_test::wait_ticks;

// Open /dev/hello (waiting for the driver's announcement), read, close.
void read_hello(const char* when) {
    int fd = -ENODEV;
    for (int i = 0; i < 100 && fd < 0; ++i) {
        fd = dev_open("/dev/hello");
        if (fd < 0) wait_ticks(2);
    }
    if (fd < 0) {
        log_printf("lu: cannot open /dev/hello %s: %d\n", when, fd);
        return;
    }
    char buf[64] = {};
    const int n = dev_read(fd, buf, 14);
    if (n >= 0 && n < static_cast<int>(sizeof buf)) buf[n] = '\0';
    if (n > 0 && buf[n - 1] == '\n') buf[n - 1] = '\0';
    log_printf("lu: read %d bytes %s: '%s'\n", n, when, n > 0 ? buf : "");
    dev_close(fd);
}

}  // namespace

int main() {
    wait_ticks(10);  // let RS bring up the boot services
    int r = rs_request(RS_UP, "hello", "hello", 0);
    log_printf("lu: RS_UP hello = %d\n", r);
    read_hello("from v1");
    read_hello("from v1 again");
    r = rs_request(RS_UPDATE, "hello", "hello_v2", SEF_LU_STATE_WORK_FREE);
    log_printf("lu: RS_UPDATE hello -> hello_v2 = %d\n", r);
    wait_ticks(5);
    read_hello("after the update");
    r = rs_request(RS_UPDATE, "hello", "hello", SEF_LU_STATE_WORK_FREE, rs::RS_DEBUG_INIT_FAIL);
    log_printf("lu: RS_UPDATE hello -> hello with a failing init = %d\n", r);
    read_hello("after the rollback");
    log_printf("lu: done\n");
    for (;;) {
        message m{};
        ipc_receive(ANY, &m);
    }
}
