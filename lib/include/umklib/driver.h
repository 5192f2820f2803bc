// The main loop of a character driver (MINIX libdriver's driver_task): after
// SEF startup, receive devman's requests for ever and answer each one that
// `handle` says needs an answer. The answer is a non-blocking send: a
// requester that died in the meantime must not block the driver.
#pragma once

#include "umk/com.h"
#include "umk/err.h"
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
        if (!handle(m)) continue;
        r = ipc_sendnb(who, &m);
        if (r != OK) log_printf("%s: cannot reply to %d: %d\n", name, who, r);
    }
}

}  // namespace umk
