// Narrowing, never widening (policy.h). Each privilege of an entry is
// compared with the label's grant as RS would apply it (build_priv): no
// `ipc` line means every system process, no `sigmgr` line means RS.
#include "policy.h"

#include "umk/str.h"

namespace umk::rs {
namespace {

bool ipc_to_all(const conf::ServiceConf& c) {
    return !(c.set & conf::SET_IPC) || (c.ipc_special & conf::IPC_ALL_SYS);
}

bool ipc_to_user(const conf::ServiceConf& c) {
    return (c.set & conf::SET_IPC) && (c.ipc_special & conf::IPC_USER);
}

bool lists_label(const conf::ServiceConf& c, const char* label) {
    for (int i = 0; i < c.nr_ipc; ++i)
        if (str::eq(c.ipc[i], label)) return true;
    return false;
}

bool ipc_widens(const conf::ServiceConf& a, const conf::ServiceConf& g) {
    if (ipc_to_user(a) && !ipc_to_user(g)) return true;
    if (ipc_to_all(g)) return false;
    if (ipc_to_all(a)) return true;
    if (a.ipc_special & conf::IPC_NONE) return false;
    if ((a.ipc_special & conf::IPC_SYSTEM) && !(g.ipc_special & conf::IPC_SYSTEM)) return true;
    for (int i = 0; i < a.nr_ipc; ++i)
        if (!lists_label(g, a.ipc[i])) return true;
    return false;
}

bool io_widens(const conf::ServiceConf& a, const conf::ServiceConf& g) {
    for (int i = 0; i < a.nr_io; ++i) {
        bool inside = false;
        for (int j = 0; j < g.nr_io && !inside; ++j)
            inside = a.io[i].base >= g.io[j].base &&
                     a.io[i].base + a.io[i].len <= g.io[j].base + g.io[j].len;
        if (!inside) return true;
    }
    return false;
}

// Whether some of a's `na` values is not among g's `ng` (irqs, pci ids).
template <typename T>
bool any_not_listed(const T* a, int na, const T* g, int ng) {
    for (int i = 0; i < na; ++i) {
        bool listed = false;
        for (int j = 0; j < ng; ++j) listed = listed || a[i] == g[j];
        if (!listed) return true;
    }
    return false;
}

// "" for RS (no sigmgr line, or `sigmgr rs`).
const char* sigmgr_of(const conf::ServiceConf& c) {
    if (!(c.set & conf::SET_SIGMGR) || str::eq(c.sigmgr, "rs")) return "";
    return c.sigmgr;
}

}  // namespace

const char* widens(const conf::ServiceConf& asked, const conf::ServiceConf& granted) {
    if (asked.calls & ~granted.calls) return "kernel calls";
    if (ipc_widens(asked, granted)) return "ipc targets";
    if (asked.vm & ~granted.vm) return "VM calls";
    if (io_widens(asked, granted)) return "io ranges";
    if (any_not_listed(asked.irq, asked.nr_irq, granted.irq, granted.nr_irq)) return "irqs";
    if (any_not_listed(asked.pci, asked.nr_pci, granted.pci, granted.nr_pci)) return "pci devices";
    if (asked.authority & ~granted.authority) return "authority";
    if (!str::eq(sigmgr_of(asked), sigmgr_of(granted))) return "signal manager";
    return nullptr;
}

}  // namespace umk::rs
