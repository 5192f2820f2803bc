// Control socket client: connect, write the request, read the reply.
#include "client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "umk/err.h"
#include "umk_linux/fd_io.h"

namespace umk::control {

using linux_host::read_all;
using linux_host::write_all;

namespace {

int connect_to(const std::string& sock, std::string* error) {
    // Whoever owns the socket would get our command and make up the answer.
    if (std::string why = check_socket_owner(sock); !why.empty()) {
        *error = why;
        return -EPERM;
    }
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (sock.size() >= sizeof addr.sun_path) {
        *error = "socket path too long: " + sock;
        return -EINVAL;
    }
    std::memcpy(addr.sun_path, sock.c_str(), sock.size() + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = std::string("socket: ") + std::strerror(errno);
        return -EIO;
    }
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        *error = "cannot reach the kernel at " + sock + ": " + std::strerror(errno) +
                 " (is `umk boot` running? use --sock PATH)";
        close(fd);
        return -ENOENT;
    }
    return fd;
}

// One frame: the header and its data.
int read_frame(int fd, CtlReply* reply, std::vector<char>* data, std::string* error) {
    if (!read_all(fd, reply, sizeof *reply) || reply->magic != CTL_MAGIC ||
        reply->data_len > CTL_MAX_DATA) {
        *error = "no valid answer on the control socket";
        return -EIO;
    }
    data->resize(reply->data_len);
    if (reply->data_len && !read_all(fd, data->data(), reply->data_len)) {
        *error = "the answer on the control socket was cut short";
        return -EIO;
    }
    return OK;
}

}  // namespace

int call(const std::string& sock, const CtlRequest& rq, CtlReply* reply, std::vector<char>* data,
         std::string* error) {
    return call_stream(sock, rq, nullptr, reply, data, error);
}

int call_stream(const std::string& sock, const CtlRequest& rq,
                const std::function<void(const char* data, std::size_t len)>& output,
                CtlReply* reply, std::vector<char>* data, std::string* error) {
    int fd = connect_to(sock, error);
    if (fd < 0) return fd;
    int r = OK;
    if (!write_all(fd, &rq, sizeof rq)) {
        // A kernel that refuses us answers and closes before it reads the
        // request: its reason is still there to read.
        std::string ignored;
        if (read_frame(fd, reply, data, &ignored) == OK) {
            close(fd);
            return OK;
        }
        *error = "the kernel closed the control socket while we were sending";
        r = -EIO;
    }
    while (r == OK) {
        r = read_frame(fd, reply, data, error);
        if (r != OK || !reply->more) break;
        if (output) output(data->data(), data->size());
    }
    close(fd);
    return r;
}

}  // namespace umk::control
