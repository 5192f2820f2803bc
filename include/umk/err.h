// MINIX error numbers. Like MINIX, system code returns them negated (-EPERM)
// and user-facing tools print the positive magnitude.
//
// The POSIX numbers below are the same as Linux's (and MINIX 3.1.6's), so a
// file of the Linux host may include both this header and <cerrno>: an
// identical macro definition is not a redefinition. ERESTART takes Linux's
// value for the same reason (MINIX 3.1.6 used 41, later MINIX 200).
#pragma once

#include "umk/names.h"

#define UMK_DEFINE_ERRNO(name, value) static_assert(name == value, #name " must be " #value)

#ifndef EPERM
#define EPERM 1
#endif
#ifndef ENOENT
#define ENOENT 2
#endif
#ifndef ESRCH
#define ESRCH 3
#endif
#ifndef EINTR
#define EINTR 4
#endif
#ifndef EIO
#define EIO 5
#endif
#ifndef E2BIG
#define E2BIG 7
#endif
#ifndef ENOEXEC
#define ENOEXEC 8
#endif
#ifndef EBADF
#define EBADF 9
#endif
#ifndef EAGAIN
#define EAGAIN 11
#endif
#ifndef ENOMEM
#define ENOMEM 12
#endif
#ifndef EFAULT
#define EFAULT 14
#endif
#ifndef EBUSY
#define EBUSY 16
#endif
#ifndef EEXIST
#define EEXIST 17
#endif
#ifndef ENODEV
#define ENODEV 19
#endif
#ifndef EINVAL
#define EINVAL 22
#endif
#ifndef ENFILE
#define ENFILE 23
#endif
#ifndef EMFILE
#define EMFILE 24
#endif
#ifndef ENOSPC
#define ENOSPC 28
#endif
#ifndef EPIPE
#define EPIPE 32
#endif
#ifndef EDOM
#define EDOM 33
#endif
#ifndef ENOSYS
#define ENOSYS 38
#endif
#ifndef ELOOP
#define ELOOP 40
#endif
#ifndef ERESTART
#define ERESTART 85
#endif

UMK_DEFINE_ERRNO(EPERM, 1);
UMK_DEFINE_ERRNO(ENOENT, 2);
UMK_DEFINE_ERRNO(ESRCH, 3);
UMK_DEFINE_ERRNO(EINTR, 4);
UMK_DEFINE_ERRNO(EIO, 5);
UMK_DEFINE_ERRNO(E2BIG, 7);
UMK_DEFINE_ERRNO(ENOEXEC, 8);
UMK_DEFINE_ERRNO(EBADF, 9);
UMK_DEFINE_ERRNO(EAGAIN, 11);
UMK_DEFINE_ERRNO(ENOMEM, 12);
UMK_DEFINE_ERRNO(EFAULT, 14);
UMK_DEFINE_ERRNO(EBUSY, 16);
UMK_DEFINE_ERRNO(EEXIST, 17);
UMK_DEFINE_ERRNO(ENODEV, 19);
UMK_DEFINE_ERRNO(EINVAL, 22);
UMK_DEFINE_ERRNO(ENFILE, 23);
UMK_DEFINE_ERRNO(EMFILE, 24);
UMK_DEFINE_ERRNO(ENOSPC, 28);
UMK_DEFINE_ERRNO(EPIPE, 32);
UMK_DEFINE_ERRNO(EDOM, 33);
UMK_DEFINE_ERRNO(ENOSYS, 38);
UMK_DEFINE_ERRNO(ELOOP, 40);
UMK_DEFINE_ERRNO(ERESTART, 85);

// MINIX's own numbers (3.1.x), unknown to Linux.
#define EGENERIC 99      // generic error
#define ELOCKED 101      // SEND/RECEIVE would deadlock
#define EBADCALL 102     // unknown IPC trap
#define EBADSRCDST 103   // source or destination is not a valid endpoint
#define ECALLDENIED 104  // IPC to that target or that kernel call is not permitted
#define EDEADSRCDST 105  // source or destination is dead or stale
#define ENOTREADY 106    // SENDNB: the destination is not receiving
#define EBADREQUEST 107  // malformed kernel call
#define ESRCDIED 108     // the process we were receiving from died
#define EDSTDIED 109     // the process we were sending to died
#define ETRAPDENIED 110  // that IPC trap is not permitted
// umk's own: a request got no answer within its deadline (the control
// socket, arch-linux/control). Linux's ETIMEDOUT is 110, ETRAPDENIED here.
#define EREQTIMEOUT 111
#define EDONTREPLY 201  // pseudo-code: the handler must not reply

#undef UMK_DEFINE_ERRNO

namespace umk {
inline constexpr int OK = 0;

}  // namespace umk
