// Names of error numbers, signals and kernel calls, for logs, tools and
// the system.conf parser.
#include "umk/names.h"

#include "umk/com.h"
#include "umk/err.h"
#include "umk/sig.h"
#include "umk/str.h"

namespace umk {
namespace {

// Kernel call names, by offset from KERNEL_CALL (MINIX seed names, plus
// umk's SPAWN). Offsets with no name are unused.
struct CallName {
    const char* name;
    int offset;
};
constexpr CallName kCalls[] = {
    {"FORK", 0},         {"EXEC", 1},         {"CLEAR", 2},       {"NICE", 3},
    {"PRIVCTL", 4},      {"TRACE", 5},        {"KILL", 6},        {"GETKSIG", 7},
    {"ENDKSIG", 8},      {"SIGSEND", 9},      {"SIGRETURN", 10},  {"NEWMAP", 11},
    {"SEGCTL", 12},      {"MEMSET", 13},      {"UMAP", 14},       {"VIRCOPY", 15},
    {"PHYSCOPY", 16},    {"IRQCTL", 19},      {"INT86", 20},      {"DEVIO", 21},
    {"SDEVIO", 22},      {"VDEVIO", 23},      {"SETALARM", 24},   {"TIMES", 25},
    {"GETINFO", 26},     {"ABORT", 27},       {"IOPENABLE", 28},  {"SAFECOPYFROM", 31},
    {"SAFECOPYTO", 32},  {"VSAFECOPY", 33},   {"SETGRANT", 34},   {"READBIOS", 35},
    {"SPROF", 36},       {"CPROF", 37},       {"PROFBUF", 38},    {"STIME", 39},
    {"VMCTL", 43},       {"DIAGCTL", 44},     {"SYSCTL", 44},     {"VTIMER", 45},
    {"RUNCTL", 46},      {"SAFEMAP", 47},     {"SAFEREVMAP", 48}, {"SAFEUNMAP", 49},
    {"GETMCONTEXT", 50}, {"SETMCONTEXT", 51}, {"UPDATE", 52},     {"EXIT", 53},
    {"SPAWN", 54},
};

}  // namespace

int kernel_call_by_name(const char* name) {
    for (const CallName& c : kCalls)
        if (str::eq(c.name, name)) return c.offset;
    return -1;
}

const char* kernel_call_name(int offset) {
    for (const CallName& c : kCalls)
        if (c.offset == offset) return c.name;
    return nullptr;
}

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
        case EREQTIMEOUT:
            return "EREQTIMEOUT";
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
