// Where the control socket lives and who may trust it. Whoever can create
// or replace the socket file receives the commands of the `umk` tools and
// answers them; whoever can connect to it runs commands as the kernel's
// owner (`service up /bin/sh`). So the socket sits in a directory only its
// owner can write, the socket itself is 0600 whatever the umask, the server
// checks every peer's uid (listener.cc) and the client refuses a socket or
// directory it does not own.
#pragma once

#include <string>

namespace umk::control {

// $XDG_RUNTIME_DIR/umk/ctl.sock if XDG_RUNTIME_DIR is set, /run/umk/ctl.sock
// for root, else /tmp/umk-$UID/ctl.sock. The directory is private (0700).
std::string default_socket_path();

// Server: make sure the socket's directory is safe to listen in. The default
// directory is created (mode 0700) if missing; any directory must be a real
// directory (not a symlink) owned by us, and not writable by others (the
// default one: no access for others at all). "" or the reason it is not.
std::string prepare_socket_dir(const std::string& sock);

// Client: the directory passes the same checks, and the socket file is a
// socket owned by us. "" or the reason to refuse it.
std::string check_socket_owner(const std::string& sock);

// Whether a kernel answers on `sock` (a connect succeeds).
bool socket_is_live(const std::string& sock);

}  // namespace umk::control
