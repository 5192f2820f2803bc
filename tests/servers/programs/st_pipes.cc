// A hostile service: takes every pipe devman lets it have, then exits
// (args "exit") or crashes (args "crash") holding them all. Nobody tells
// devman: it is a system process, not a PM child.
#include "st_util.h"
#include "umk/names.h"
#include "umk/str.h"
#include "umklib/dev_proto.h"

int main(int argc, char** argv) {
    using namespace umk;
    sef_startup();
    int n = 0, r = OK;
    int fds[2] = {-1, -1};
    // One descriptor per pipe (the write end closed): its descriptor table
    // would hold OPEN_MAX of them; devman's quota per owner stops it first.
    while ((r = dev_pipe(fds)) == OK) {
        dev_close(fds[1]);
        n++;
    }
    log_printf("PIPES: took %d pipes, then %s\n", n, errno_name(r));
    if (argc > 1 && str::eq(argv[1], "crash")) {
        volatile int* nowhere = nullptr;
        *nowhere = 1;
    }
    sef_exit(0);
}
