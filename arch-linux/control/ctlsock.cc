// The control proxy (ctlsock.h): an IN_KERNEL slot that serves the control
// socket. It is a process to the core like any other, with system
// privileges from the boot config (`kernel N umkctl type=ctlsock sys
// ipc=all`), and reaches the system only by IPC and kernel calls, as a
// service would; this file is the slot and its client, the jobs are
// rs_proxy.cc (CTL_RS), cat_stream.cc (CTL_CAT) and process_list.cc (CTL_PS).
//
// One request per connection. Several proxy slots share the socket
// (listener.h): each serves one request at a time, the listener queues the
// rest. A client that goes away mid-request, or is told EREQTIMEOUT at its
// deadline, costs nothing but this proxy until the IPC completes: its
// answer is then dropped (writes use MSG_NOSIGNAL).
#include "ctlsock.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "listener.h"
#include "umk/err.h"
#include "umk_linux/kernel_thread.h"

namespace umk::control {

CtlSock::~CtlSock() {
    drop_client();
    listener.remove(this);
}

void CtlSock::take_request(int fd, const CtlRequest& rq, std::int64_t deadline_ns) {
    client_fd_ = fd;
    rq_ = rq;
    deadline_ns_ = deadline_ns;
    client_gone_ = false;
    linux_host::watch_fd(client_fd_, POLLIN, [this](int, short ev) { watch_hangup(ev); });
    start_request();
}

namespace {

// The services a proxy waits on, by their well-known slots (umk/slots.h).
std::string service_name(endpoint_t e) {
    switch (e) {
        case RS_PROC_NR:
            return "rs";
        case PM_PROC_NR:
            return "pm";
        case DEVMAN_PROC_NR:
            return "devman";
        case NONE:
            return "the kernel";
        default:
            return "endpoint " + std::to_string(e);
    }
}

}  // namespace

void CtlSock::expire(std::int64_t now_ns) {
    if (client_fd_ < 0 || !busy_ || now_ns < deadline_ns_) return;
    const std::string who = service_name(waiting_for_);
    char text[sizeof(CtlReply::text)];
    std::snprintf(text, sizeof text,
                  "no answer from %s within %.1f s (it may be hung); the request may still "
                  "complete",
                  who.c_str(), static_cast<double>(listener.deadline_ms()) / 1000);
    linux_host::kernel_log("%s: request timed out waiting for %s; proxy retired until it answers\n",
                           name_.c_str(), who.c_str());
    CtlReply r{};
    r.magic = CTL_MAGIC;
    r.status = -EREQTIMEOUT;
    r.endpoint = NONE;
    std::snprintf(r.text, sizeof r.text, "%s", text);
    send_frame(r, nullptr, 0);
    drop_client();  // busy_ stays: the job goes on and its answer is dropped
}

void CtlSock::on_start(endpoint_t) {
    // Register the grant table first; the socket opens when that is done.
    message m{};
    m.m_type = SYS_SETGRANT;
    m.SG_ADDR = addr(OFF_GRANTS);
    m.SG_SIZE = static_cast<std::int32_t>(NR_GRANTS);
    step_ = Step::SETGRANT;
    if (kernel_call(m) != OK) {
        step_ = Step::IDLE;
        become_ready();
    }
}

void CtlSock::on_trap_done(int result, const message* reply) {
    Step s = step_;
    step_ = Step::IDLE;
    switch (s) {
        case Step::SETGRANT:
            if (result != OK || !reply || reply->m_type != OK)
                linux_host::kernel_log("%s: cannot register the grant table\n", name_.c_str());
            become_ready();
            return;
        case Step::RS:
            return rs_.done(result, reply);
        case Step::CAT:
            return cat_.done(result, reply);
        case Step::PS:
            return ps_.done(result, reply);
        case Step::IDLE:
            return;
    }
}

void CtlSock::set_grant(cp_grant_id_t id, endpoint_t to, std::size_t off, std::size_t len,
                        std::uint32_t access) {
    cp_grant_t& g = grants()[id];
    g = cp_grant_t{};
    g.cp_flags = CPF_USED | CPF_VALID | CPF_DIRECT | access;
    g.cp_to = to;
    g.cp_start = addr(off);
    g.cp_len = len;
}

void CtlSock::revoke_grants() {
    for (std::size_t i = 0; i < NR_GRANTS; ++i) grants()[i] = cp_grant_t{};
}

int CtlSock::sendrec(Step step, endpoint_t to, message* m) {
    step_ = step;
    waiting_for_ = to;
    int r = ipc(SENDREC, to, m);
    if (r != OK) step_ = Step::IDLE;
    return r;
}

int CtlSock::call_kernel(Step step, const message& m) {
    step_ = step;
    waiting_for_ = NONE;
    int r = kernel_call(m);
    if (r != OK) step_ = Step::IDLE;
    return r;
}

void CtlSock::become_ready() {
    ready_ = true;
    listener.add(this);
    if (listener.fd < 0 && !listener.open(name_.c_str())) return;
    listener.dispatch();
}

void CtlSock::drop_client() {
    if (client_fd_ < 0) return;
    linux_host::unwatch_fd(client_fd_);
    close(client_fd_);
    client_fd_ = -1;
}

// Done with the current client (answered or gone): take the next one.
void CtlSock::next_client() {
    drop_client();
    if (step_ == Step::IDLE) {
        busy_ = false;
        listener.dispatch();  // one may be waiting already
    }
}

// Waiting for IPC: only notice a hang-up (nothing to do: the answer will be
// dropped).
void CtlSock::watch_hangup(short ev) {
    char c;
    if ((ev & (POLLHUP | POLLERR)) || recv(client_fd_, &c, 1, MSG_PEEK) == 0) client_gone_ = true;
    if (client_gone_) linux_host::unwatch_fd(client_fd_);
}

void CtlSock::send_frame(const CtlReply& r, const void* data, std::size_t len) {
    if (client_fd_ < 0 || client_gone_) return;
    // Into an idle socket buffer: send never blocks for long; a client
    // that went away just makes it fail.
    int fl = fcntl(client_fd_, F_GETFL);
    fcntl(client_fd_, F_SETFL, fl & ~O_NONBLOCK);
    timeval tv{2, 0};
    setsockopt(client_fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    bool ok = send(client_fd_, &r, sizeof r, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof r);
    if (ok && len) ok = send(client_fd_, data, len, MSG_NOSIGNAL) == static_cast<ssize_t>(len);
    if (!ok) client_gone_ = true;
}

void CtlSock::answer(int status, const char* text, const void* data, std::size_t len,
                     std::uint32_t count, std::int32_t wait_status) {
    CtlReply r{};
    r.magic = CTL_MAGIC;
    r.status = status;
    r.endpoint = reply_ep_;
    r.count = count;
    r.data_len = static_cast<std::uint32_t>(len);
    r.wait_status = wait_status;
    std::snprintf(r.text, sizeof r.text, "%s", text);
    send_frame(r, data, len);
    revoke_grants();
    busy_ = false;
    client_gone_ = false;
    next_client();
}

void CtlSock::start_request() {
    busy_ = true;
    client_gone_ = false;
    reply_ep_ = NONE;
    if (rq_.magic != CTL_MAGIC) return answer(-EINVAL, "bad request (magic)");
    switch (rq_.op) {
        case CTL_PS:
            return ps_.start();
        case CTL_RS:
            return rs_.start();
        case CTL_CAT:
            return cat_.start();
        default:
            return answer(-EINVAL, "unknown control operation");
    }
}

namespace {

std::unique_ptr<linux_host::KernelSlot> make_ctlsock(const std::string& name) {
    return std::make_unique<CtlSock>(name);
}

}  // namespace
}  // namespace umk::control

UMK_KERNEL_SLOT_TYPE(ctlsock, umk::control::make_ctlsock);
