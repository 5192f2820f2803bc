// Whole-buffer reads and writes on a pipe or socket, retrying after EINTR
// and short transfers. Host-side only (kernel process and the `umk` tools).
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

namespace umk::linux_host {

// False on error or end of file before `len` bytes. Sockets are written with
// MSG_NOSIGNAL, so a peer that went away is an error, not a SIGPIPE.
inline bool write_all(int fd, const void* buf, std::size_t len) {
    auto* p = static_cast<const char*>(buf);
    bool socket = true;
    while (len > 0) {
        ssize_t n = socket ? send(fd, p, len, MSG_NOSIGNAL) : write(fd, p, len);
        if (n < 0 && errno == ENOTSOCK && socket) {
            socket = false;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        len -= static_cast<std::size_t>(n);
    }
    return true;
}

inline bool read_all(int fd, void* buf, std::size_t len) {
    auto* p = static_cast<char*>(buf);
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        len -= static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace umk::linux_host
