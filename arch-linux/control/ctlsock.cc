// The control proxy: an IN_KERNEL slot (umk_linux/kernel_slot.h) that serves
// the control socket. It is a process to the core like any other, with
// system privileges from the boot config (`kernel N umkctl type=ctlsock sys
// ipc=all`), and reaches the system only by IPC:
//   CTL_RS   SENDREC to RS, the request block passed by a grant (as `service`)
//   CTL_CAT  a shell's `cat PATH | socket`: a pipe from devman, its write end
//            at the proxy's descriptors 1 and 2 (DEVMAN_DUP2), PM_SPAWN of
//            the user program "cat PATH" (which inherits them), then the
//            proxy reads the pipe until the end and streams it to the
//            client, and PM_WAITs for the child: its status goes back.
//   CTL_PS   the one exception: the kernel's process table, read directly
//            (the proxy runs on the kernel thread; host pids live only here)
//
// One request per connection. Several proxy slots may share the socket
// (boot config: umkctl, umkctl2 ...): each serves one client at a time, an
// idle one takes the next connection, the rest wait in the listen backlog.
// With two, a second request (e.g. an update while another is pending)
// gets its own answer at once. A client that goes away mid-request costs nothing: the
// IPC completes and its answer is dropped (writes use MSG_NOSIGNAL).
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "client.h"
#include "ctl_proto.h"
#include "umk/com.h"
#include "umk/err.h"
#include "umk/kernel.h"
#include "umk/proc.h"
#include "umk_linux/host.h"
#include "umk_linux/kernel_slot.h"
#include "umklib/dev_proto.h"
#include "umklib/pm_proto.h"
#include "umklib/rs_proto.h"

namespace umk::control {
namespace {

// The slot's memory: grant table, the RS request block, the data area.
constexpr std::size_t NR_GRANTS = 4;
constexpr std::size_t OFF_GRANTS = 0;
constexpr std::size_t OFF_START = 256;
constexpr std::size_t OFF_DATA = OFF_START + ((sizeof(rs::rs_start) + 63) & ~std::size_t{63});
constexpr std::size_t MEM_SIZE = OFF_DATA + CTL_MAX_DATA;
constexpr cp_grant_id_t GRANT_RS_START = 0, GRANT_RS_LIST = 1, GRANT_PM_ARGS = 2;
constexpr std::size_t CAT_CHUNK = DEVMAN_PIPE_BUF;  // one pipeful per read
static_assert(CAT_CHUNK <= CTL_MAX_DATA);
constexpr const char* CAT_PROGRAM = "cat";

// --sock PATH of the running `umk boot`, else the default path.
std::string socket_path() {
    std::ifstream f("/proc/self/cmdline", std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::string prev;
    for (std::size_t pos = 0; pos < all.size();) {
        std::string arg = all.c_str() + pos;
        pos += arg.size() + 1;
        if (prev == "--sock") return arg;
        prev = arg;
    }
    return default_socket_path();
}

endpoint_t endpoint_by_name(const char* name) {
    for (int slot = 0; slot < NR_PROCS; ++slot) {
        const Proc& p = *proc_addr(slot);
        if (!proc_is_free(p) && std::strncmp(p.p_name, name, PROC_NAME_LEN) == 0)
            return p.p_endpoint;
    }
    return NONE;
}

// RS's endpoint (RS_PROC_NR) if its slot is in use.
endpoint_t rs_endpoint() {
    const Proc* p = endpoint_lookup(RS_PROC_NR);
    return p ? p->p_endpoint : NONE;
}

class CtlSock;

// The listening socket, shared by every proxy slot of the kernel.
struct Listener {
    int fd = -1;
    std::string path;
    bool watching = false;
    std::vector<CtlSock*> proxies;

    void add(CtlSock* p) { proxies.push_back(p); }
    void remove(CtlSock* p);
    bool open(const char* who);
    void dispatch();  // hand waiting connections to idle proxies
    void watch(bool on);
};
Listener listener;

class CtlSock final : public linux_host::KernelSlot {
  public:
    explicit CtlSock(std::string name) : name_(std::move(name)) {}
    ~CtlSock() override {
        drop_client();
        listener.remove(this);
    }

    // Ready for a new connection.
    bool idle() const { return ready_ && client_fd_ < 0 && step_ == Step::IDLE; }
    // Take a connection accepted by the listener.
    void take_client(int fd) {
        client_fd_ = fd;
        got_ = 0;
        busy_ = false;
        client_gone_ = false;
        linux_host::watch_fd(client_fd_, POLLIN, [this](int, short ev) { read_client(ev); });
    }

    std::byte* memory() override { return mem_.get(); }
    std::size_t memory_size() override { return MEM_SIZE; }

    void on_start(endpoint_t) override {
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

    void on_trap_done(int result, const message* reply) override {
        Step s = step_;
        step_ = Step::IDLE;
        switch (s) {
            case Step::SETGRANT:
                if (result != OK || !reply || reply->m_type != OK)
                    kprintf("%s: cannot register the grant table\n", name_.c_str());
                become_ready();
                return;
            case Step::RS:
                rs_done(result, reply);
                return;
            case Step::CAT:
                cat_done(result, reply);
                return;
            case Step::IDLE:
                return;
        }
    }

  private:
    enum class Step { IDLE, SETGRANT, RS, CAT };

    vir_bytes addr(std::size_t off) { return vir_addr(mem_.get() + off); }
    cp_grant_t* grants() { return reinterpret_cast<cp_grant_t*>(mem_.get() + OFF_GRANTS); }

    void set_grant(cp_grant_id_t id, endpoint_t to, std::size_t off, std::size_t len,
                   std::uint32_t access) {
        cp_grant_t& g = grants()[id];
        g = cp_grant_t{};
        g.cp_flags = CPF_USED | CPF_VALID | CPF_DIRECT | access;
        g.cp_to = to;
        g.cp_start = addr(off);
        g.cp_len = len;
    }
    void revoke_grants() {
        for (std::size_t i = 0; i < NR_GRANTS; ++i) grants()[i] = cp_grant_t{};
    }

    void become_ready() {
        ready_ = true;
        listener.add(this);
        if (listener.fd < 0 && !listener.open(name_.c_str())) return;
        listener.dispatch();
    }

    void drop_client() {
        if (client_fd_ < 0) return;
        linux_host::unwatch_fd(client_fd_);
        close(client_fd_);
        client_fd_ = -1;
    }

    // Done with the current client (answered or gone): take the next one.
    void next_client() {
        drop_client();
        if (step_ == Step::IDLE) {
            busy_ = false;
            listener.dispatch();  // one may be waiting already
        }
    }

    void read_client(short ev) {
        if (busy_) {
            // Waiting for IPC: only notice a hang-up (nothing to do: the
            // answer will be dropped).
            char c;
            if ((ev & (POLLHUP | POLLERR)) || recv(client_fd_, &c, 1, MSG_PEEK) == 0)
                client_gone_ = true;
            if (client_gone_) linux_host::unwatch_fd(client_fd_);
            return;
        }
        auto* buf = reinterpret_cast<char*>(&rq_);
        for (;;) {
            ssize_t n = recv(client_fd_, buf + got_, sizeof rq_ - got_, 0);
            if (n > 0) {
                got_ += static_cast<std::size_t>(n);
                if (got_ == sizeof rq_) break;
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
            next_client();  // closed or failed before a whole request
            return;
        }
        start_request();
    }

    // One frame to the client (dropped if it has gone away).
    void send_frame(const CtlReply& r, const void* data, std::size_t len) {
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

    void answer(int status, const char* text = "", const void* data = nullptr, std::size_t len = 0,
                std::uint32_t count = 0, std::int32_t wait_status = 0) {
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

    void start_request() {
        busy_ = true;
        client_gone_ = false;
        reply_ep_ = NONE;
        if (rq_.magic != CTL_MAGIC) return answer(-EINVAL, "bad request (magic)");
        switch (rq_.op) {
            case CTL_PS:
                return do_ps();
            case CTL_RS:
                return do_rs();
            case CTL_CAT:
                return do_cat();
            default:
                return answer(-EINVAL, "unknown control operation");
        }
    }

    // ---- ps ----
    void do_ps() {
        auto* out = reinterpret_cast<PsEntry*>(mem_.get() + OFF_DATA);
        std::uint32_t n = 0;
        for (int i = 0; i < NR_TASKS + NR_PROCS && (n + 1) * sizeof(PsEntry) <= CTL_MAX_DATA; ++i) {
            const Proc& p = proc_table[i];
            if (proc_is_free(p)) continue;
            PsEntry& e = out[n++];
            e = PsEntry{};
            e.slot = p.p_nr;
            e.endpoint = p.p_endpoint;
            std::memcpy(e.name, p.p_name, PROC_NAME_LEN);
            e.name[PROC_NAME_LEN - 1] = '\0';
            e.rts_flags = p.p_rts_flags;
            e.misc_flags = p.p_misc_flags;
            e.sig_mgr = p.p_priv ? p.p_priv->s_sig_mgr : NONE;
            e.priv_flags = p.p_priv ? p.p_priv->s_flags : 0;
            e.priv_id = p.p_priv ? p.p_priv->s_id : -1;
            e.kind = static_cast<std::int32_t>(p.p_arch.kind);
            e.host_pid = p.p_arch.kind == ArchKind::HOST ? p.p_arch.host_pid : 0;
        }
        answer(OK, "", out, n * sizeof(PsEntry), n);
    }

    // ---- RS requests ----
    void do_rs() {
        // By RS's endpoint, not its name: a replacement RS (update -label rs
        // from another binary) keeps the endpoint but may have another name.
        endpoint_t rs = rs_endpoint();
        if (rs == NONE) return answer(-ESRCH, "RS is not running");
        message m{};
        m.m_type = rq_.rs_type;
        switch (rq_.rs_type) {
            case RS_UP:
            case RS_RUN:
            case RS_UPDATE:
                std::memcpy(mem_.get() + OFF_START, &rq_.start, sizeof rq_.start);
                set_grant(GRANT_RS_START, rs, OFF_START, sizeof rq_.start, CPF_READ);
                m.RS_CMD_GRANT = GRANT_RS_START;
                m.RS_CMD_LEN = sizeof rq_.start;
                break;
            case RS_LIST:
                set_grant(GRANT_RS_LIST, rs, OFF_DATA, CTL_MAX_DATA, CPF_WRITE);
                m.RS_CMD_GRANT = GRANT_RS_LIST;
                m.RS_CMD_LEN = CTL_MAX_DATA;
                break;
            default:
                std::memcpy(m.RS_NAME, rq_.label, PROC_NAME_LEN);
                m.RS_NAME[PROC_NAME_LEN - 1] = '\0';
                break;
        }
        step_ = Step::RS;
        if (int r = ipc(SENDREC, rs, &m); r != OK) {
            step_ = Step::IDLE;
            answer(r, "cannot send to RS");
        }
    }

    void rs_done(int result, const message* reply) {
        if (result != OK || !reply)
            return answer(result != OK ? result : -EIO, "IPC with RS failed");
        reply_ep_ = reply->RS_ENDPOINT;
        if (rq_.rs_type == RS_LIST && reply->m_type == OK) {
            std::uint32_t n = static_cast<std::uint32_t>(reply->RS_CMD_LEN);
            if (n * sizeof(rs::rs_list_entry) > CTL_MAX_DATA) n = 0;
            // RS does not know host pids; the kernel does.
            auto* e = reinterpret_cast<rs::rs_list_entry*>(mem_.get() + OFF_DATA);
            for (std::uint32_t i = 0; i < n; ++i) {
                const Proc* p = endpoint_lookup(e[i].endpoint);
                e[i].host_pid = p && p->p_arch.kind == ArchKind::HOST ? p->p_arch.host_pid : 0;
            }
            return answer(OK, "", mem_.get() + OFF_DATA, n * sizeof(rs::rs_list_entry), n);
        }
        answer(reply->m_type);
        // RS has taken every service down: the system halts, as MINIX's
        // shutdown ends in a reboot. The answer is already on its way.
        if (rq_.rs_type == RS_SHUTDOWN && reply->m_type == OK) {
            kprintf("umkctl: shutdown requested; stopping the kernel\n");
            linux_host::request_stop();
        }
    }

    // ---- cat: the user program "cat PATH", its output through a pipe ----
    //
    // Every step is one SENDREC (to devman or PM); cat_done() takes the
    // answer and sends the next. The proxy's own descriptors are tracked in
    // cat_fds_ so that any failure closes them all (and reaps a child that
    // was started) before the answer goes out.

    enum class CatOp {
        PIPE,
        DUP_OUT,
        DUP_ERR,
        CLOSE_W,
        SPAWN,
        CLOSE_OUT,
        CLOSE_ERR,
        READ,
        CLEANUP,
        WAIT
    };

    void do_cat() {
        devman_ = endpoint_by_name("devman");
        pm_ = endpoint_by_name("pm");
        if (devman_ == NONE) return answer(-ESRCH, "the device layer (devman) is not running");
        if (pm_ == NONE) return answer(-ESRCH, "the process manager (PM) is not running");
        cat_fds_.clear();
        cat_child_ = NONE;
        cat_waited_ = false;
        cat_error_ = OK;
        cat_text_.clear();
        cat_status_ = 0;
        message m{};
        m.m_type = DEVMAN_PIPE;
        m.DEVMAN_PIPE_FLAGS = DEVMAN_O_CLOEXEC;  // the child inherits only 1 and 2
        cat_send(CatOp::PIPE, devman_, m);
    }

    void cat_send(CatOp op, endpoint_t to, message& m) {
        cat_op_ = op;
        step_ = Step::CAT;
        if (int r = ipc(SENDREC, to, &m); r != OK) {
            step_ = Step::IDLE;
            cat_fail(r, to == pm_ ? "cannot send to PM" : "cannot send to devman");
        }
    }

    void devman_fd_op(CatOp op, int type, int fd, int fd2 = -1) {
        message m{};
        m.m_type = type;
        m.DEVMAN_FD = fd;
        if (type == DEVMAN_DUP2) m.DEVMAN_FD2 = fd2;
        cat_send(op, devman_, m);
    }

    void forget_fd(int fd) { std::erase(cat_fds_, fd); }

    // The write end goes to 1 and 2, without close-on-exec (the pipe was
    // made with it, and dup2 onto itself would keep it): first to one of
    // them (a), from there to the other (b); then the proxy's own copy goes.
    int cat_a() const { return cat_w_ == 2 ? 1 : 2; }
    int cat_b() const { return cat_w_ == 2 ? 2 : 1; }
    void cat_setup_next(CatOp done) {
        switch (done) {
            case CatOp::PIPE:
                return devman_fd_op(CatOp::DUP_OUT, DEVMAN_DUP2, cat_w_, cat_a());
            case CatOp::DUP_OUT:
                return devman_fd_op(CatOp::DUP_ERR, DEVMAN_DUP2, cat_a(), cat_b());
            case CatOp::DUP_ERR:
                if (cat_w_ != 1 && cat_w_ != 2)
                    return devman_fd_op(CatOp::CLOSE_W, DEVMAN_CLOSE, cat_w_);
                return cat_spawn();
            case CatOp::CLOSE_W:
                return cat_spawn();
            default:
                return;
        }
    }

    void cat_spawn() {
        // "cat\0PATH\0", read by PM through a grant.
        char* block = reinterpret_cast<char*>(mem_.get() + OFF_START);
        std::size_t n = std::strlen(CAT_PROGRAM) + 1;
        std::memcpy(block, CAT_PROGRAM, n);
        std::size_t plen = strnlen(rq_.path, sizeof rq_.path - 1);
        std::memcpy(block + n, rq_.path, plen);
        block[n + plen] = '\0';
        n += plen + 1;
        set_grant(GRANT_PM_ARGS, pm_, OFF_START, n, CPF_READ);
        message m{};
        m.m_type = PM_SPAWN;
        m.PM_ARGS_GRANT = GRANT_PM_ARGS;
        m.PM_ARGS_LEN = static_cast<std::int32_t>(n);
        cat_send(CatOp::SPAWN, pm_, m);
    }

    void cat_read() {
        message m{};
        m.m_type = DEVMAN_READ;
        m.DEVMAN_FD = cat_r_;
        m.DEVMAN_BUFFER = addr(OFF_DATA);
        m.DEVMAN_NBYTES = static_cast<std::int32_t>(CAT_CHUNK);
        cat_send(CatOp::READ, devman_, m);
    }

    // Something failed: remember the first error, then clean up.
    void cat_fail(int err, const char* text) {
        if (cat_error_ == OK) {
            cat_error_ = err < 0 ? err : -EIO;
            cat_text_ = text;
        }
        cat_cleanup();
    }

    // Close what is still open, reap the child, answer.
    void cat_cleanup() {
        if (!cat_fds_.empty()) {
            int fd = cat_fds_.back();
            cat_fds_.pop_back();
            return devman_fd_op(CatOp::CLEANUP, DEVMAN_CLOSE, fd);
        }
        if (cat_child_ != NONE && !cat_waited_) {
            cat_waited_ = true;
            message m{};
            m.m_type = PM_WAIT;
            m.PM_ENDPT = cat_child_;
            return cat_send(CatOp::WAIT, pm_, m);
        }
        if (cat_error_ != OK) return answer(cat_error_, cat_text_.c_str());
        answer(OK, "", nullptr, 0, 0, cat_status_);
    }

    void cat_done(int result, const message* reply) {
        int status = result != OK ? result : (reply ? reply->m_type : -EIO);
        switch (cat_op_) {
            case CatOp::PIPE:
                if (status != OK) return cat_fail(status, "cannot make a pipe");
                cat_r_ = reply->DEVMAN_FD0;
                cat_w_ = reply->DEVMAN_FD1;
                cat_fds_ = {cat_r_, cat_w_};
                if (cat_r_ == 1 || cat_r_ == 2)  // devman gives the lowest free ones
                    return cat_fail(-EBADF, "the proxy's descriptors 1 and 2 are in use");
                return cat_setup_next(CatOp::PIPE);
            case CatOp::DUP_OUT:
            case CatOp::DUP_ERR:
                if (status < 0) return cat_fail(status, "cannot set up the output");
                if (std::find(cat_fds_.begin(), cat_fds_.end(), status) == cat_fds_.end())
                    cat_fds_.push_back(status);
                return cat_setup_next(cat_op_);
            case CatOp::CLOSE_W:
                forget_fd(cat_w_);
                if (status != OK) return cat_fail(status, "cannot set up the output");
                return cat_setup_next(CatOp::CLOSE_W);
            case CatOp::SPAWN:
                if (status != OK) return cat_fail(status, "cannot start cat");
                cat_child_ = reply->PM_ENDPT;
                reply_ep_ = cat_child_;
                // The proxy keeps only the read end: the pipe ends with the child.
                return devman_fd_op(CatOp::CLOSE_OUT, DEVMAN_CLOSE, 1);
            case CatOp::CLOSE_OUT:
                forget_fd(1);
                if (status != OK) return cat_fail(status, "cannot close the write end");
                return devman_fd_op(CatOp::CLOSE_ERR, DEVMAN_CLOSE, 2);
            case CatOp::CLOSE_ERR:
                forget_fd(2);
                if (status != OK) return cat_fail(status, "cannot close the write end");
                return cat_read();
            case CatOp::READ:
                if (status < 0) return cat_fail(status, "cannot read cat's output");
                if (status == 0) return cat_cleanup();  // every writer is gone
                if (status > static_cast<int>(CAT_CHUNK)) return cat_fail(-EIO, "bad read");
                {
                    CtlReply r{};
                    r.magic = CTL_MAGIC;
                    r.status = OK;
                    r.more = 1;
                    r.data_len = static_cast<std::uint32_t>(status);
                    send_frame(r, mem_.get() + OFF_DATA, static_cast<std::size_t>(status));
                }
                return cat_read();  // on even if the client left: cat must not block
            case CatOp::CLEANUP:
                return cat_cleanup();
            case CatOp::WAIT:
                if (status != OK) {
                    if (cat_error_ == OK) {
                        cat_error_ = status;
                        cat_text_ = "cannot wait for cat";
                    }
                } else {
                    cat_status_ = reply->PM_STATUS;
                }
                return cat_cleanup();
        }
    }

    std::string name_;
    std::unique_ptr<std::byte[]> mem_{new std::byte[MEM_SIZE]()};
    bool ready_ = false;
    int client_fd_ = -1;
    bool busy_ = false;
    bool client_gone_ = false;
    Step step_ = Step::IDLE;
    CtlRequest rq_{};
    std::size_t got_ = 0;
    endpoint_t reply_ep_ = NONE;
    endpoint_t devman_ = NONE;
    endpoint_t pm_ = NONE;
    CatOp cat_op_ = CatOp::PIPE;
    std::vector<int> cat_fds_;  // the proxy's open devman descriptors
    int cat_r_ = -1, cat_w_ = -1;
    endpoint_t cat_child_ = NONE;
    bool cat_waited_ = false;
    int cat_error_ = OK;
    std::string cat_text_;
    std::int32_t cat_status_ = 0;  // the child's wait status
};

void Listener::remove(CtlSock* p) {
    std::erase(proxies, p);
    if (proxies.empty() && fd >= 0) {
        watch(false);
        close(fd);
        unlink(path.c_str());
        fd = -1;
    }
}

bool Listener::open(const char* who) {
    path = socket_path();
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (path.size() >= sizeof a.sun_path) {
        kprintf("%s: socket path too long: %s\n", who, path.c_str());
        return false;
    }
    std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s < 0) return false;
    // A socket file nobody answers on is left over from a dead kernel.
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe >= 0 && connect(probe, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        kprintf("%s: %s is served by another kernel; no control socket\n", who, path.c_str());
        close(probe);
        close(s);
        return false;
    }
    if (probe >= 0) close(probe);
    unlink(path.c_str());
    if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(s, 16) != 0) {
        kprintf("%s: cannot listen on %s: %s\n", who, path.c_str(), std::strerror(errno));
        close(s);
        return false;
    }
    fd = s;
    kprintf("%s: control socket %s\n", who, path.c_str());
    return true;
}

void Listener::watch(bool on) {
    if (fd < 0 || on == watching) return;
    watching = on;
    if (on)
        linux_host::watch_fd(fd, POLLIN, [this](int, short) { dispatch(); });
    else
        linux_host::unwatch_fd(fd);
}

void Listener::dispatch() {
    if (fd < 0) return;
    for (CtlSock* p : proxies) {
        if (!p->idle()) continue;
        int c = accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c < 0) break;  // nobody waiting
        p->take_client(c);
    }
    bool any_idle = false;
    for (CtlSock* p : proxies) any_idle = any_idle || p->idle();
    watch(any_idle);  // no idle proxy: connections wait in the backlog
}

std::unique_ptr<linux_host::KernelSlot> make_ctlsock(const std::string& name) {
    return std::make_unique<CtlSock>(name);
}

}  // namespace
}  // namespace umk::control

UMK_KERNEL_SLOT_TYPE(ctlsock, umk::control::make_ctlsock);
