// Names of error numbers and signals, for logs and tools.
#include "err.h"
#include "sig.h"

namespace umk {

const char* errno_name(int err) {
    switch (err < 0 ? -err : err) {
        case OK:
            return "OK";
        case EPERM:
            return "EPERM";
        case ENOENT:
            return "ENOENT";
        case ESRCH:
            return "ESRCH";
        case EINTR:
            return "EINTR";
        case EIO:
            return "EIO";
        case E2BIG:
            return "E2BIG";
        case ENOEXEC:
            return "ENOEXEC";
        case EBADF:
            return "EBADF";
        case EAGAIN:
            return "EAGAIN";
        case ENOMEM:
            return "ENOMEM";
        case EFAULT:
            return "EFAULT";
        case EBUSY:
            return "EBUSY";
        case EEXIST:
            return "EEXIST";
        case ENODEV:
            return "ENODEV";
        case ENFILE:
            return "ENFILE";
        case EMFILE:
            return "EMFILE";
        case EPIPE:
            return "EPIPE";
        case EINVAL:
            return "EINVAL";
        case ENOSPC:
            return "ENOSPC";
        case EDOM:
            return "EDOM";
        case ENOSYS:
            return "ENOSYS";
        case ELOOP:
            return "ELOOP";
        case ERESTART:
            return "ERESTART";
        case EGENERIC:
            return "EGENERIC";
        case ELOCKED:
            return "ELOCKED";
        case EBADCALL:
            return "EBADCALL";
        case EBADSRCDST:
            return "EBADSRCDST";
        case ECALLDENIED:
            return "ECALLDENIED";
        case EDEADSRCDST:
            return "EDEADSRCDST";
        case ENOTREADY:
            return "ENOTREADY";
        case EBADREQUEST:
            return "EBADREQUEST";
        case ESRCDIED:
            return "ESRCDIED";
        case EDSTDIED:
            return "EDSTDIED";
        case ETRAPDENIED:
            return "ETRAPDENIED";
        case EDONTREPLY:
            return "EDONTREPLY";
        default:
            return "E?";
    }
}

const char* sig_name(int sig) {
    switch (sig) {
        case SIGHUP:
            return "SIGHUP";
        case SIGINT:
            return "SIGINT";
        case SIGQUIT:
            return "SIGQUIT";
        case SIGILL:
            return "SIGILL";
        case SIGTRAP:
            return "SIGTRAP";
        case SIGABRT:
            return "SIGABRT";
        case SIGBUS:
            return "SIGBUS";
        case SIGFPE:
            return "SIGFPE";
        case SIGKILL:
            return "SIGKILL";
        case SIGUSR1:
            return "SIGUSR1";
        case SIGSEGV:
            return "SIGSEGV";
        case SIGUSR2:
            return "SIGUSR2";
        case SIGPIPE:
            return "SIGPIPE";
        case SIGALRM:
            return "SIGALRM";
        case SIGTERM:
            return "SIGTERM";
        case SIGCHLD:
            return "SIGCHLD";
        case SIGSYS:
            return "SIGSYS";
        case SIGKSTART:
            return "SIGKSTART";
        case SIGKMEM:
            return "SIGKMEM";
        case SIGKPF:
            return "SIGKPF";
        case SIGKMESS:
            return "SIGKMESS";
        case SIGKSIGSM:
            return "SIGKSIGSM";
        case SIGKSIG:
            return "SIGKSIG";
        case SIGKNDELAY:
            return "SIGKNDELAY";
        default:
            return "SIG?";
    }
}

}  // namespace umk
