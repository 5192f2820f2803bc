// The main loop of a character driver (MINIX libdriver's driver_task): after
// SEF startup, receive devman's requests for ever and answer each one that
// `handle` says needs an answer. The answer is an asynchronous send: a
// requester that died in the meantime must not block the driver, and
// devman, which does not wait in SENDREC for it, may be busy when it is
// sent (a non-blocking send would then be lost). The request id
// (DEV_REQ_ID) is echoed whatever `handle` did with the message.
#pragma once

#include "umk/com.h"
#include "umk/err.h"
#include "umklib/dev_proto.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/sef.h"

namespace umk {

// `handle` turns the request into its answer in place and returns true, or
// returns false when there is nothing to answer (a notification, or a
// request it answers later).
[[noreturn]] inline void driver_task(const char* name, bool (*handle)(message&)) {
    for (;;) {
        message m{};
        int r = sef_receive(ANY, &m);
        if (r != OK) panic("%s: receive failed: %d", name, r);
        const endpoint_t who = m.m_source;
        const auto id = m.DEV_REQ_ID;
        if (!handle(m)) continue;
        m.DEV_REQ_ID = id;
        r = asynsend(who, &m);
        if (r != OK) log_printf("%s: cannot reply to %d: %d\n", name, who, r);
    }
}

}  // namespace umk
