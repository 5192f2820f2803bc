// The control socket's place and ownership checks (socket_dir.h).
#include "socket_dir.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace umk::control {
namespace {

constexpr const char* SOCKET_NAME = "ctl.sock";

std::string default_dir() {
    if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x) return std::string(x) + "/umk";
    if (geteuid() == 0) return "/run/umk";
    return "/tmp/umk-" + std::to_string(geteuid());
}

std::string dir_of(const std::string& sock) {
    const auto slash = sock.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : sock.substr(0, slash);
}

std::string octal(mode_t m) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(m & 07777));
    return buf;
}

// A directory we own that nobody else can write into (so nobody else can
// put a socket there or replace ours); the default one must also keep
// everyone else out entirely, as documented.
std::string check_dir(const std::string& dir, bool is_default) {
    struct stat st {};
    if (lstat(dir.c_str(), &st) != 0)
        return "cannot use " + dir + " for the control socket: " + std::strerror(errno);
    if (!S_ISDIR(st.st_mode))
        return dir + " is not a directory (a symlink?): refusing it for the control socket";
    if (st.st_uid != geteuid())
        return dir + " belongs to uid " + std::to_string(st.st_uid) + ", not to you (uid " +
               std::to_string(geteuid()) + "): refusing it for the control socket";
    const mode_t forbidden = is_default ? 077 : 022;
    if ((st.st_mode & forbidden) != 0)
        return dir + " has mode " + octal(st.st_mode) +
               (is_default ? " (must be 0700" : " (others may write there") +
               "): refusing it for the control socket";
    return "";
}

bool is_default_path(const std::string& sock) {
    return sock == default_socket_path();
}

}  // namespace

std::string default_socket_path() {
    return default_dir() + "/" + SOCKET_NAME;
}

std::string prepare_socket_dir(const std::string& sock) {
    const std::string dir = dir_of(sock);
    const bool is_default = is_default_path(sock);
    // mkdir's mode is masked by the umask, which can only take bits away.
    if (is_default && mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return "cannot create " + dir + ": " + std::strerror(errno);
    return check_dir(dir, is_default);
}

std::string check_socket_owner(const std::string& sock) {
    if (std::string why = check_dir(dir_of(sock), is_default_path(sock)); !why.empty()) return why;
    struct stat st {};
    if (lstat(sock.c_str(), &st) != 0) return "";  // nothing there: connect will say so
    if (!S_ISSOCK(st.st_mode)) return sock + " is not a socket: refusing it";
    if (st.st_uid != geteuid())
        return sock + " belongs to uid " + std::to_string(st.st_uid) + ", not to you (uid " +
               std::to_string(geteuid()) + "): refusing it";
    return "";
}

bool socket_is_live(const std::string& sock) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (sock.size() >= sizeof a.sun_path) return false;
    std::memcpy(a.sun_path, sock.c_str(), sock.size() + 1);
    const int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe < 0) return false;
    const bool live = connect(probe, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(probe);
    return live;
}

}  // namespace umk::control
