// The system.conf parser (MINIX etc/system.conf, parsed in servers/rs/service.c
// at the seed): text in, one conf::ServiceConf (umklib/service_conf.h) per
// entry out.
//
//   service NAME { KEYWORD VALUE... ; ... };     # comments run to the end of the line
//
// Keywords: uid, nice, irq, io, pci, system, ipc, vm, control, class,
// period, sigmgr, policy (restart | reset, MINIX 3.4's restart policies), and umk's authority
// (MANAGE SPAWN SPAWN_ANY_PATH LOG_READER). The parser is
// freestanding (no heap, no libc): RS parses the text built into it, and the host tools (`umk
// service -config FILE`) parse files they read; it is library code (lib/conf, target umk_conf) so
// that those tools need nothing of RS.
#pragma once

#include <cstddef>

#include "umklib/service_conf.h"

namespace umk::conf {

inline constexpr int MAX_SERVICES = 32;

struct Config {
    int count;
    ServiceConf services[MAX_SERVICES];
};

struct Error {
    char file[64];
    int line;
    char what[160];  // e.g. "unknown kernel call 'FOO' in 'system'"
};

// Parse `len` bytes of text; `file` names it in errors. Returns 0 (OK) and
// fills *out, or a negative MINIX error (-EINVAL; -ENOSPC when a table is
// full; -E2BIG for an over-long name) and fills *err. *out is reset first.
int parse(const char* text, std::size_t len, const char* file, Config* out, Error* err);

// "file:line: what" into buf (always NUL-terminated).
void format_error(const Error& err, char* buf, std::size_t size);

// The entry for a service, or nullptr.
const ServiceConf* find(const Config& cfg, const char* name);

// Ticks from "120" or "3HZ" (seconds); -1 if malformed or negative.
long parse_ticks(const char* s, int hz);

}  // namespace umk::conf
