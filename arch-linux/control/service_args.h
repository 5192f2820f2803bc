// `umk service` in MINIX syntax: argument parsing and error texts, apart
// from the socket so that the unit tests can check them.
//
//   service [--sock PATH] up|run <binary> [-label L] [-args "A B"] [-period T]
//                                [-config FILE] [-script S]
//   service [--sock PATH] update <binary>|self -label L [-state N] [-maxtime T]
//                                [-x|-y|-z] [-q] [-args "..."] [-period T] [-config FILE]
//   service [--sock PATH] sysctl upd_run|upd_stop
//   service [--sock PATH] down|refresh|restart|lookup <label>
//   service [--sock PATH] shutdown | list
//
// T is ticks, or seconds with an HZ suffix (3HZ).
#pragma once

#include <string>

#include "ctl_proto.h"

namespace umk::control {

struct ServiceCommand {
    std::string verb;
    std::string sock;      // "" = default
    std::string note;      // a warning to print
    CtlRequest request{};  // ready to send
};

// Parse argv (argv[0] = "service"). On error returns a positive exit status
// (EINVAL for usage, ENOSYS for an unknown verb, 1 for a config error) with
// *error set; else 0.
int parse_service_args(int argc, const char* const* argv, ServiceCommand* out, std::string* error);

// "update failed: ERESTART (85): new version failed to initialize, rolled back"
std::string describe_failure(const std::string& verb, int err);

}  // namespace umk::control
