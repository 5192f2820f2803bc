// The seccomp filter every host process runs under, from its first
// instruction (service_filter.cc): the kernel's launcher installs it before
// it execs the program, so the program need not cooperate.
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <vector>

namespace umk::linux_host {

// Descriptors of the launcher (the child between clone and exec): the
// program, opened by the kernel, which the filter lets the child execveat
// and nothing else; and the pipe on which an exec error is reported. Both
// are close-on-exec, and the filter allows no call that makes a descriptor,
// so after the exec neither number can be used again.
inline constexpr int EXEC_FD = 5;
inline constexpr int EXEC_ERR_FD = 6;

// The filter of the child `self`: built by libseccomp (build_service_filter),
// or copied from a template built once and checked against it
// (service_filter, what spawning uses: libseccomp takes ~0.2 ms).
bool build_service_filter(pid_t self, std::vector<sock_filter>* out);
bool service_filter(pid_t self, std::vector<sock_filter>* out);

}  // namespace umk::linux_host
