// cat FILE... : copy each file to standard output (descriptor 1), in 4 KiB
// chunks; with no FILE (or "-") copy standard input (descriptor 0).
//
// A user process: it may make no kernel calls, so it reaches files only
// through devman (open, read, write, close by descriptor; the descriptors
// it starts with were inherited from its parent through PM's DEVMAN_FORK)
// and ends through PM. Errors go to descriptor 2 as
// "cat: /dev/nope: No such device"; the exit status is 1 after any error,
// else 0. Builds for the Linux host and for i386 (main(argc, argv) on both).
#include <cstddef>
#include <initializer_list>

#include "umk/err.h"
#include "umklib/dev_proto.h"
#include "umklib/ipc.h"
#include "umklib/pm_proto.h"

namespace {

using namespace umk;

constexpr int STDIN = 0, STDOUT = 1, STDERR = 2;
constexpr std::size_t CHUNK = 4096;

char buffer[CHUNK];

// POSIX's wording (strerror) for what devman and the drivers return.
const char* error_text(int err) {
    switch (err < 0 ? -err : err) {
        case ENOENT:
            return "No such file or directory";
        case EIO:
            return "Input/output error";
        case EBADF:
            return "Bad file descriptor";
        case EAGAIN:
            return "Resource temporarily unavailable";
        case EFAULT:
            return "Bad address";
        case ENODEV:
            return "No such device";
        case EINVAL:
            return "Invalid argument";
        case ENFILE:
            return "Too many open files in system";
        case EMFILE:
            return "Too many open files";
        case ENOSPC:
            return "No space left on device";
        case EPIPE:
            return "Broken pipe";
        case EPERM:
            return "Operation not permitted";
        default:
            return errno_name(err);  // at least the MINIX name
    }
}

// "cat: <what>: <error text>\n" on standard error (best effort).
void complain(const char* what, int err) {
    char line[160];
    std::size_t n = 0;
    for (const char* part : {"cat: ", what, ": ", error_text(err), "\n"})
        for (std::size_t i = 0; part[i] && n < sizeof line; i++) line[n++] = part[i];
    dev_write_all(STDERR, line, n);
}

// Copy one open file to standard output. OK, or the error (complained of).
int copy(int fd, const char* name) {
    for (;;) {
        int n = dev_read(fd, buffer, CHUNK);
        if (n == 0) return OK;
        if (n < 0) {
            complain(name, n);
            return n;
        }
        if (!dev_write_all(STDOUT, buffer, static_cast<std::size_t>(n))) {
            // Nobody reads our output any more (EPIPE): nothing to say it on.
            return -EPIPE;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    int status = 0;
    if (argc < 2) pm_exit(copy(STDIN, "stdin") == OK ? 0 : 1);
    for (int i = 1; i < argc; i++) {
        const char* name = argv[i];
        if (name[0] == '-' && name[1] == '\0') {
            if (copy(STDIN, "stdin") != OK) status = 1;
            continue;
        }
        int fd = dev_open(name);
        if (fd < 0) {
            complain(name, fd);
            status = 1;
            continue;
        }
        if (copy(fd, name) != OK) status = 1;
        dev_close(fd);
    }
    pm_exit(status);
}
