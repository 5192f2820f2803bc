// i386_rsup PROGRAM...: after a few ticks, asks RS to start each PROGRAM
// (RS_UP, label = program), like `service up` at the end of a boot script.
// Logs "rsup: PROGRAM = RESULT" for each.
#include "rs_client.h"
#include "umklib/log.h"

int main(int argc, char** argv) {
    using namespace umk;
    i386_test::wait_ticks(10);  // let RS bring up the boot services
    for (int i = 1; i < argc; ++i) {
        const int r = i386_test::rs_request(RS_UP, argv[i], argv[i], 0);
        log_printf("rsup: %s = %d\n", argv[i], r);
    }
    for (;;) {
        message m{};
        ipc_receive(ANY, &m);
    }
}
