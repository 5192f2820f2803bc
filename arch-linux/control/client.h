// The client side of the control socket, shared by `umk service`, `umk ps`
// and `umk cat`, and the default socket path shared with the proxy.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ctl_proto.h"
#include "socket_dir.h"  // default_socket_path

namespace umk::control {

// Send one request and read the answer. Returns OK, or a negative MINIX
// error with *error set (no kernel listening, a socket or directory we do
// not own: EPERM, protocol error ...).
int call(const std::string& sock, const CtlRequest& rq, CtlReply* reply, std::vector<char>* data,
         std::string* error);

// The same for a streamed answer (CTL_CAT): `output` gets the data of every
// frame as it arrives; *reply and *data are the last frame's.
int call_stream(const std::string& sock, const CtlRequest& rq,
                const std::function<void(const char* data, std::size_t len)>& output,
                CtlReply* reply, std::vector<char>* data, std::string* error);

}  // namespace umk::control
