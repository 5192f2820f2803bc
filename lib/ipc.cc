// IPC primitives (MINIX ipc.h) over the arch's IPC trap.
#include "umklib/ipc.h"

#include "umklib/trap.h"

namespace umk {

int ipc_send(endpoint_t dst, message* m) {
    return arch_trap_ipc(SEND, dst, m, 0);
}
int ipc_receive(endpoint_t src, message* m) {
    return arch_trap_ipc(RECEIVE, src, m, 0);
}
int ipc_sendrec(endpoint_t dst, message* m) {
    return arch_trap_ipc(SENDREC, dst, m, 0);
}
int ipc_sendnb(endpoint_t dst, message* m) {
    return arch_trap_ipc(SENDNB, dst, m, 0);
}
int ipc_notify(endpoint_t dst) {
    return arch_trap_ipc(NOTIFY, dst, nullptr, 0);
}

int ipc_senda(asynmsg_t* table, std::size_t count) {
    // The kernel takes the entry count where other traps take an endpoint.
    if (count > static_cast<std::size_t>(NR_ASYNC_MAX)) return -EDOM;
    return arch_trap_ipc(SENDA, static_cast<endpoint_t>(count), nullptr, vir_addr(table));
}

endpoint_t self_endpoint() {
    return arch_self_endpoint();
}

}  // namespace umk
