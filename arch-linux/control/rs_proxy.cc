// CTL_RS (rs_proxy.h): one RS request, by SENDREC to RS's well-known
// endpoint, its answer back to the client.
#include "rs_proxy.h"

#include <cstring>

#include "ctlsock.h"
#include "umk/err.h"
#include "umk/slots.h"
#include "umk_linux/kernel_thread.h"
#include "umklib/rs_proto.h"

namespace umk::control {

void RsProxy::start() {
    // RS_PROC_NR, not RS's name: a replacement RS (update -label rs from
    // another binary) keeps the endpoint but may have another name.
    const CtlRequest& rq = slot_.request();
    message m{};
    m.m_type = rq.rs_type;
    switch (rq.rs_type) {
        case RS_UP:
        case RS_RUN:
        case RS_UPDATE:
            std::memcpy(slot_.area(OFF_START), &rq.start, sizeof rq.start);
            slot_.set_grant(GRANT_RS_START, RS_PROC_NR, OFF_START, sizeof rq.start, CPF_READ);
            m.RS_CMD_GRANT = GRANT_RS_START;
            m.RS_CMD_LEN = sizeof rq.start;
            break;
        case RS_LIST:
            slot_.set_grant(GRANT_RS_LIST, RS_PROC_NR, OFF_DATA, CTL_MAX_DATA, CPF_WRITE);
            m.RS_CMD_GRANT = GRANT_RS_LIST;
            m.RS_CMD_LEN = CTL_MAX_DATA;
            break;
        case RS_SYSCTL:  // the subtype travels in the request block's state (service_args.cc)
            m.RS_SYSCTL_SUBTYPE = rq.start.state;
            break;
        default:
            std::memcpy(m.RS_NAME, rq.label, PROC_NAME_LEN);
            m.RS_NAME[PROC_NAME_LEN - 1] = '\0';
            break;
    }
    if (int r = slot_.sendrec(CtlSock::Step::RS, RS_PROC_NR, &m); r != OK)
        slot_.answer(r, "cannot send to RS");
}

void RsProxy::done(int result, const message* reply) {
    // RS's slot is free or holds another process: nobody to ask.
    if (result == -EDEADSRCDST) return slot_.answer(-ESRCH, "RS is not running");
    // RS died with the request received but not answered: its guardian
    // swapped a new RS in, and the kernel failed the SENDREC. The new RS
    // knows nothing of it (it may or may not have taken effect).
    if (result == -ERESTART)
        return slot_.answer(-ERESTART, "RS restarted during the request: retry");
    if (result != OK || !reply)
        return slot_.answer(result != OK ? result : -EIO, "IPC with RS failed");
    const int type = slot_.request().rs_type;
    slot_.set_reply_endpoint(reply->RS_ENDPOINT);
    if (type == RS_LIST && reply->m_type == OK) {
        std::uint32_t n = static_cast<std::uint32_t>(reply->RS_CMD_LEN);
        if (n * sizeof(rs::rs_list_entry) > CTL_MAX_DATA) n = 0;
        // RS does not know host pids; the host does.
        auto* e = reinterpret_cast<rs::rs_list_entry*>(slot_.area(OFF_DATA));
        for (std::uint32_t i = 0; i < n; ++i)
            e[i].host_pid = linux_host::host_process(e[i].endpoint).host_pid;
        return slot_.answer(OK, "", e, n * sizeof(rs::rs_list_entry), n);
    }
    slot_.answer(reply->m_type);
    // RS has taken every service down: the system halts, as MINIX's
    // shutdown ends in a reboot. The answer is already on its way.
    if (type == RS_SHUTDOWN && reply->m_type == OK) {
        linux_host::kernel_log("umkctl: shutdown requested; stopping the kernel\n");
        linux_host::request_stop();
    }
}

}  // namespace umk::control
