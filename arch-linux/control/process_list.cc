// CTL_PS (process_list.h): one PsEntry per process in use, from the kernel's
// proc_info summary and the host's view of the slot.
#include "process_list.h"

#include <cstring>

#include "ctlsock.h"
#include "umk/err.h"
#include "umk/proc_flags.h"
#include "umk_linux/kernel_thread.h"

namespace umk::control {

void ProcessList::start() {
    message m{};
    m.m_type = SYS_GETINFO;
    m.I_REQUEST = GET_PROCTAB;
    m.I_VAL_PTR = slot_.addr(OFF_PROCTAB);
    m.I_VAL_LEN = static_cast<std::int32_t>(PROCTAB_LEN);
    if (int r = slot_.call_kernel(CtlSock::Step::PS, m); r != OK)
        slot_.answer(r, "cannot read the process table");
}

void ProcessList::done(int result, const message* reply) {
    if (result == OK && !reply) result = -EIO;
    if (result == OK) result = reply->m_type;
    if (result != OK) return slot_.answer(result, "cannot read the process table");
    // Kernel tasks first, then slots 0..; as many as the buffer held.
    const auto* table = reinterpret_cast<const proc_info*>(slot_.area(OFF_PROCTAB));
    std::size_t slots = static_cast<std::size_t>(reply->I_VAL_LEN);
    if (slots > PROCTAB_LEN / sizeof(proc_info)) slots = PROCTAB_LEN / sizeof(proc_info);
    auto* out = reinterpret_cast<PsEntry*>(slot_.area(OFF_DATA));
    std::uint32_t n = 0;
    for (std::size_t i = 0; i < slots && (n + 1) * sizeof(PsEntry) <= CTL_MAX_DATA; ++i) {
        const proc_info& p = table[i];
        if (p.rts_flags & RTS_SLOT_FREE) continue;
        PsEntry& e = out[n++];
        e = PsEntry{};
        e.slot = p.slot;
        e.endpoint = p.endpoint;
        static_assert(sizeof e.name == sizeof p.name);
        std::memcpy(e.name, p.name, sizeof e.name);
        e.name[sizeof e.name - 1] = '\0';
        e.rts_flags = p.rts_flags;
        e.misc_flags = p.misc_flags;
        e.sig_mgr = p.sig_mgr;
        e.priv_flags = p.priv_flags;
        e.priv_id = p.priv_id;
        const linux_host::HostProcess h = linux_host::host_process(p.endpoint);
        e.kind = h.kind;
        e.host_pid = h.host_pid;
    }
    slot_.answer(OK, "", out, n * sizeof(PsEntry), n);
}

}  // namespace umk::control
