// Slots without a host process: IN_KERNEL handlers (proxies running on the
// kernel thread) and CLIENT slots (threads of the kernel process).
#include <map>
#include <string>

#include "host_state.h"
#include "umk/err.h"

namespace umk::linux_host {

namespace {
std::map<std::string, KernelSlotFactory>& registry() {
    static std::map<std::string, KernelSlotFactory> types;
    return types;
}
}  // namespace

KernelSlotType::KernelSlotType(const char* type, KernelSlotFactory factory) {
    registry()[type] = factory;
}

int spawn_kernel_slot(Proc& p, const std::string& type, const char* name) {
    auto it = registry().find(type);
    if (it == registry().end()) {
        hlog("umk: no in-kernel slot type '%s'", type.c_str());
        return -ENOENT;
    }
    std::unique_ptr<KernelSlot> k = it->second(name);
    if (!k) return -ENOMEM;
    ArchProc& a = p.p_arch;
    a = ArchProc{};
    a.memfd = -1;
    a.kind = ArchKind::IN_KERNEL;
    a.handler = k.get();
    a.mem = k->memory();
    a.mem_len = k->memory_size();
    KernelSlotAccess::set_identity(*k, p.p_endpoint, p.p_nr);
    host().kernel_slots.push_back(std::move(k));
    return OK;
}

void destroy_kernel_slot(Proc& p) {
    HostState& h = host();
    KernelSlot* k = p.p_arch.handler;
    std::erase_if(h.completions, [k](const KernelCompletion& c) { return c.handler == k; });
    std::erase_if(h.kernel_slots,
                  [k](const std::unique_ptr<KernelSlot>& o) { return o.get() == k; });
}

int spawn_client_slot(Proc& p) {
    p.p_arch = ArchProc{};
    p.p_arch.memfd = -1;
    int r = make_slot_page(p);
    if (r != OK) return r;
    p.p_arch.kind = ArchKind::CLIENT;
    update_scan_bit(p);
    return OK;
}

}  // namespace umk::linux_host
