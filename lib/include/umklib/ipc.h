// IPC primitives for services (MINIX ipc.h). Each returns OK or a negative
// MINIX error (-EDEADSRCDST, -ECALLDENIED, ...).
#pragma once

#include "umk/com.h"
#include "umk/err.h"
#include "umk/types.h"

namespace umk {

int ipc_send(endpoint_t dst, message* m);
int ipc_receive(endpoint_t src, message* m);  // src: an endpoint or ANY
int ipc_sendrec(endpoint_t dst, message* m);  // the reply overwrites *m
int ipc_sendnb(endpoint_t dst, message* m);
int ipc_notify(endpoint_t dst);
int ipc_senda(asynmsg_t* table, std::size_t count);

// Asynchronous send through the library's own SENDA table (MINIX asynsend3):
// the message is queued and the call returns at once.
int asynsend3(endpoint_t dst, const message* m, unsigned flags);
inline int asynsend(endpoint_t dst, const message* m) {
    return asynsend3(dst, m, 0);
}
// Messages of the SENDA table the kernel has not delivered yet. They belong
// to this image: a live update must not swap it out before they are gone
// (the new version starts with an empty table).
int asynsend_pending();

// The caller's own endpoint (valid after the library's startup; updated by
// a live update, since the new version takes over the old endpoint).
endpoint_t self_endpoint();

}  // namespace umk
