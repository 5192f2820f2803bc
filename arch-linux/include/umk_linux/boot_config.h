// The boot configuration of the Linux host: which processes the kernel
// starts, in which slots, with which privileges. Format: arch-linux/README.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "umk/kernel.h"

namespace umk::linux_host {

// How a boot slot is served (see ArchKind in arch_proc.h).
enum class BootKind {
    HOST,       // `proc`: a host executable, confined and traced
    CLIENT,     // `client`: no process; a thread of the kernel process attaches to it
    IN_KERNEL,  // `kernel`: a registered in-kernel handler (umk_linux/kernel_slot.h)
};

struct BootEntry {
    BootKind kind = BootKind::HOST;
    int slot = -1;
    std::string name;
    std::string program;            // HOST: executable; IN_KERNEL: handler type
    std::vector<std::string> args;  // argv[1..]
    bool sys = false;               // has privileges at boot (else RTS_NO_PRIV)
    bool ipc_to_all = false;
    bool all_calls = false;
    // Authority flags (umk/priv_flags.h: MANAGE_SERVICES ...): `auth=`, else
    // every one with calls=all (RS), the administrator's with type=ctlsock.
    std::uint32_t auth = 0;
    std::string sig_mgr = "NONE";  // a boot entry's name, SELF or NONE
    std::string where;             // "file:line", for messages
};

struct BootConfig {
    std::string file;  // where it came from ("" if built in code)
    std::vector<BootEntry> entries;

    // Builders, for tests and benchmarks that assemble a config in code.
    BootEntry& add(BootKind kind, int slot, std::string name, std::string program = {});
};

// Parse a boot config. On error returns false and sets *error to
// "FILE:LINE: what is wrong".
bool parse_boot_config(const std::string& text, const std::string& file, BootConfig* out,
                       std::string* error);
bool load_boot_config(const std::string& path, BootConfig* out, std::string* error);
// Check slots, names, signal managers; fill a BootProc table for kernel_init.
// `names` keeps the strings alive. false + *error on a bad config.
bool check_boot_config(const BootConfig& cfg, std::string* error);
std::vector<BootProc> boot_procs(const BootConfig& cfg);

}  // namespace umk::linux_host
