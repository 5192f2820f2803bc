// The device layer (devman, servers/devman): user processes open and read
// character devices by name through it; it forwards each request to the
// driver with a grant for the data (MINIX VFS <-> driver protocol,
// include/minix/com.h DEV_*).
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

// devman is a boot process in MINIX VFS's slot (1, generation 0).
inline constexpr endpoint_t DEVMAN_PROC_NR = 1;

inline constexpr const char* DEV_DS_PREFIX = "dev.";     // DS key prefix of an announcement
inline constexpr const char* DEV_PATH_PREFIX = "/dev/";  // device names

// ---- devman <-> driver (SENDREC; the reply is DEV_REPLY) ----
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

// ---- user process <-> devman (SENDREC; reply m_type = result) ----
// Call numbers are MINIX's (callnr.h).
inline constexpr int DEVMAN_READ = 3;
inline constexpr int DEVMAN_OPEN = 5;
inline constexpr int DEVMAN_CLOSE = 6;
inline constexpr int DEVMAN_PATH_MAX = 40;  // including the NUL (fits m3_ca1)

// PM -> devman (asynsend, no reply): a user process is gone; devman closes
// its open files (MINIX: PM tells VFS of every exit).
inline constexpr int DEVMAN_PROC_EXIT = 0x980;
#define DEVMAN_EXIT_ENDPT m1_i1

#define DEVMAN_PATH m3_ca1   // OPEN: "/dev/hello"; reply m_type: a descriptor >= 0
#define DEVMAN_FD m1_i1      // READ, CLOSE
#define DEVMAN_GRANT m1_i2   // READ: grant (write access) for the buffer, to devman
#define DEVMAN_NBYTES m1_i3  // READ: buffer size; reply m_type: bytes read (0 at the end)
#define DEVMAN_DATA m3_ca1   // READ reply without a grant: the data itself
// A READ with DEVMAN_GRANT = GRANT_INVALID gets at most this many bytes back
// inline in the reply: user processes may make no kernel calls, so they
// cannot register a grant table (SYS_SETGRANT).
inline constexpr int DEVMAN_INLINE_MAX = 40;

// ---- The user side (what a libc open/read/close would do) ----

// A descriptor >= 0, or a negative error (-ENODEV: no such device).
inline int dev_open(const char* path) {
    message m{};
    m.m_type = DEVMAN_OPEN;
    int i = 0;
    for (; path[i] && i < DEVMAN_PATH_MAX - 1; i++) m.DEVMAN_PATH[i] = path[i];
    if (path[i]) return -EINVAL;
    int r = ipc_sendrec(DEVMAN_PROC_NR, &m);
    return r != OK ? r : m.m_type;
}

// Bytes read (0 at the end of the device), or a negative error. Reads of
// up to DEVMAN_INLINE_MAX bytes need no grant (user processes use these).
inline int dev_read(int fd, void* buf, std::size_t len) {
    if (len <= static_cast<std::size_t>(DEVMAN_INLINE_MAX)) {
        message m{};
        m.m_type = DEVMAN_READ;
        m.DEVMAN_FD = fd;
        m.DEVMAN_GRANT = GRANT_INVALID;
        m.DEVMAN_NBYTES = static_cast<std::int32_t>(len);
        int r = ipc_sendrec(DEVMAN_PROC_NR, &m);
        if (r != OK) return r;
        if (m.m_type > 0) {
            auto* out = static_cast<char*>(buf);
            for (int i = 0; i < m.m_type && i < DEVMAN_INLINE_MAX; i++) out[i] = m.DEVMAN_DATA[i];
        }
        return m.m_type;
    }
    cp_grant_id_t g = cpf_grant_direct(DEVMAN_PROC_NR, vir_addr(buf), len, CPF_WRITE);
    if (g < 0) return g == GRANT_INVALID ? -ENOSPC : g;
    message m{};
    m.m_type = DEVMAN_READ;
    m.DEVMAN_FD = fd;
    m.DEVMAN_GRANT = g;
    m.DEVMAN_NBYTES = static_cast<std::int32_t>(len);
    int r = ipc_sendrec(DEVMAN_PROC_NR, &m);
    cpf_revoke(g);
    return r != OK ? r : m.m_type;
}

inline int dev_close(int fd) {
    message m{};
    m.m_type = DEVMAN_CLOSE;
    m.DEVMAN_FD = fd;
    int r = ipc_sendrec(DEVMAN_PROC_NR, &m);
    return r != OK ? r : m.m_type;
}

}  // namespace umk
