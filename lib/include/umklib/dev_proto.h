// The device layer (devman, servers/devman): processes open, read, write
// and close character devices by name and use pipes through it, by
// per-process descriptors; it forwards each device request to the driver
// with a magic grant for the caller's buffer (MINIX VFS <-> driver
// protocol, include/minix/com.h DEV_*).
//
// Drivers announce themselves in DS: a driver with label L publishes the u32
// key "dev.L" holding its endpoint (DSF_OVERWRITE) when it starts fresh or
// after a restart; the device is then "/dev/L". devman subscribes to
// "dev\..*" and checks every announcement against the label RS published
// for L, so a new instance after a restart gets the requests.
#pragma once

#include "umk/com.h"
#include "umk/err.h"
#include "umk/types.h"
#include "umklib/ipc.h"
#include "umklib/syslib.h"

namespace umk {

inline constexpr const char* DEV_DS_PREFIX = "dev.";     // DS key prefix of an announcement
inline constexpr const char* DEV_PATH_PREFIX = "/dev/";  // device names

// ---- devman <-> driver ----
// devman sends each request without waiting (sendnb, else asynsend) and
// goes on serving others; the driver answers DEV_REPLY (driver_task: by
// asynsend, since devman may be busy) echoing DEV_REQ_ID. devman matches
// the answer by the driver's endpoint and that id, and gives up on a driver
// that has not answered within devman's deadline (EIO to the caller).
inline constexpr int DEV_RQ_BASE = 0x400;
inline constexpr int DEV_RS_BASE = 0x500;
inline constexpr int DEV_OPEN = DEV_RQ_BASE + 6;
inline constexpr int DEV_CLOSE = DEV_RQ_BASE + 7;
inline constexpr int DEV_READ_S = DEV_RQ_BASE + 20;   // read into IO_GRANT
inline constexpr int DEV_WRITE_S = DEV_RQ_BASE + 21;  // write from IO_GRANT
inline constexpr int DEV_REPLY = DEV_RS_BASE + 0;

#define DEVICE m2_i1      // minor device
#define IO_ENDPT m2_i2    // the granter of IO_GRANT (devman)
#define COUNT m2_i3       // bytes to transfer
#define POSITION m2_l1    // offset in the device
#define IO_GRANT m2_p1    // grant for the data (DEV_READ_S: write access)
#define REP_ENDPT m2_i1   // reply: IO_ENDPT of the request
#define REP_STATUS m2_i2  // reply: bytes transferred, OK, or a negative error
#define DEV_REQ_ID m2_l2  // request and reply: devman's request id, echoed

// ---- user process <-> devman (SENDREC; reply m_type = result) ----
// Call numbers are MINIX's (callnr.h).
inline constexpr int DEVMAN_READ = 3;
inline constexpr int DEVMAN_WRITE = 4;
inline constexpr int DEVMAN_OPEN = 5;
inline constexpr int DEVMAN_CLOSE = 6;
inline constexpr int DEVMAN_DUP2 = 41;  // MINIX DUP, always in its dup2 form here
inline constexpr int DEVMAN_PIPE = 42;
inline constexpr int DEVMAN_PATH_MAX = 40;  // including the NUL (fits m3_ca1)

// PM -> devman (asynsend, no reply): a user process is gone; devman closes
// its open files (MINIX: PM tells VFS of every exit).
inline constexpr int DEVMAN_PROC_EXIT = 0x980;
#define DEVMAN_EXIT_ENDPT m1_i1
// PM -> devman (SENDREC; reply m_type OK or an error): `child` was spawned
// by `parent` and has not run yet; it gets a copy of the parent's descriptor
// table (the same open files: shared offsets, one more reference each),
// except descriptors marked close-on-exec (MINIX: PM tells VFS of every fork).
inline constexpr int DEVMAN_FORK = 0x981;
#define DEVMAN_FORK_PARENT m1_i1
#define DEVMAN_FORK_CHILD m1_i2

#define DEVMAN_PATH m3_ca1   // OPEN: "/dev/hello"; reply m_type: a descriptor >= 0
#define DEVMAN_FD m1_i1      // READ, WRITE, CLOSE, DUP2
#define DEVMAN_NBYTES m1_i3  // READ, WRITE: buffer size; reply m_type: bytes moved (0: end)

// READ, WRITE: the buffer's address in the caller. devman gives the driver
// a magic grant for it (only devman, in VFS's slot, may make those), so
// nobody copies twice and there is no size limit; pipes are copied by
// devman itself through a magic grant to itself.
#define DEVMAN_BUFFER m1_p1
// PIPE: request flags; reply: the read end and the write end.
#define DEVMAN_PIPE_FLAGS m1_i3
#define DEVMAN_FD0 m1_i1
#define DEVMAN_FD1 m1_i2
inline constexpr int DEVMAN_O_CLOEXEC = 0x1;  // both ends are not inherited by DEVMAN_FORK
// DUP2: DEVMAN_FD -> DEVMAN_FD2 (closed first if open); reply m_type = DEVMAN_FD2.
#define DEVMAN_FD2 m1_i2
// A pipe's capacity, POSIX PIPE_BUF: writes of up to this many bytes are atomic.
inline constexpr int DEVMAN_PIPE_BUF = 4096;

// ---- The user side (what a libc open/read/close would do) ----

// devman died holding our request (the kernel answers ERESTART to every
// caller a crashed instance owed a reply; its replica, at the same
// endpoint, never saw the request): ask the replica the same again. The
// replica's tables are devman's last checkpoint, written before any answer
// left, so the descriptors are still open and a read or write that was not
// answered did not move the offset. A request whose effect was checkpointed
// just before the crash runs twice (at least once): an open or a pipe may
// leave one more descriptor, a pipe write that had not moved bytes is
// written again. Each try is one crash of devman; a few are plenty.
inline constexpr int DEV_RESTART_TRIES = 8;

inline int dev_call(message* m) {
    const message request = *m;
    for (int tries = 1;; tries++) {
        const int r = ipc_sendrec(DEVMAN_PROC_NR, m);
        if (r != -ERESTART || tries == DEV_RESTART_TRIES) return r;
        *m = request;
    }
}

// A descriptor >= 0, or a negative error (-ENODEV: no such device).
inline int dev_open(const char* path) {
    message m{};
    m.m_type = DEVMAN_OPEN;
    int i = 0;
    for (; path[i] && i < DEVMAN_PATH_MAX - 1; i++) m.DEVMAN_PATH[i] = path[i];
    if (path[i]) return -EINVAL;
    int r = dev_call(&m);
    return r != OK ? r : m.m_type;
}

// READ and WRITE: devman moves the data straight from or to `buf` (a magic
// grant for the driver, or its own copy for a pipe).
inline int dev_transfer(int call, int fd, vir_bytes buf, std::size_t len) {
    message m{};
    m.m_type = call;
    m.DEVMAN_FD = fd;
    m.DEVMAN_BUFFER = buf;
    m.DEVMAN_NBYTES = len > 0x7fffffff ? 0x7fffffff : static_cast<std::int32_t>(len);
    int r = dev_call(&m);
    return r != OK ? r : m.m_type;
}

// Bytes read (0 at the end of the file), or a negative error. A read from
// an empty pipe waits for data (or returns 0 once no writer is left).
inline int dev_read(int fd, void* buf, std::size_t len) {
    return dev_transfer(DEVMAN_READ, fd, vir_addr(buf), len);
}

// Bytes written, or a negative error (-EPIPE: a pipe nobody reads). A write
// to a full pipe waits for room.
inline int dev_write(int fd, const void* buf, std::size_t len) {
    return dev_transfer(DEVMAN_WRITE, fd, vir_addr(buf), len);
}

// OK and fds[0] (read end), fds[1] (write end), or a negative error.
inline int dev_pipe(int fds[2], int flags = 0) {
    message m{};
    m.m_type = DEVMAN_PIPE;
    m.DEVMAN_PIPE_FLAGS = flags;
    int r = dev_call(&m);
    if (r != OK) return r;
    if (m.m_type != OK) return m.m_type;
    fds[0] = m.DEVMAN_FD0;
    fds[1] = m.DEVMAN_FD1;
    return OK;
}

// `to`, now the same open file as `fd`, or a negative error.
inline int dev_dup2(int fd, int to) {
    message m{};
    m.m_type = DEVMAN_DUP2;
    m.DEVMAN_FD = fd;
    m.DEVMAN_FD2 = to;
    int r = dev_call(&m);
    return r != OK ? r : m.m_type;
}

// OK or a negative error. A close asked again after a devman crash may
// find the descriptor closed by the first try: EBADF then means done.
inline int dev_close(int fd) {
    message m{};
    m.m_type = DEVMAN_CLOSE;
    m.DEVMAN_FD = fd;
    int r = ipc_sendrec(DEVMAN_PROC_NR, &m);
    if (r == -ERESTART) {
        m.m_type = DEVMAN_CLOSE;
        m.DEVMAN_FD = fd;
        r = dev_call(&m);
        if (r == OK && m.m_type == -EBADF) return OK;
    }
    return r != OK ? r : m.m_type;
}

// Writes every byte (a pipe takes a large write in pieces). False on an error.
inline bool dev_write_all(int fd, const char* data, std::size_t len) {
    while (len > 0) {
        const int n = dev_write(fd, data, len);
        if (n <= 0) return false;
        data += n;
        len -= static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace umk
