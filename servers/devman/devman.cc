#include "devman.h"

#include "tables.h"
#include "umk/err.h"
#include "umk/sig.h"
#include "umk/str.h"
#include "umklib/dev_proto.h"
#include "umklib/ds.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/pm_proto.h"
#include "umklib/rs_proto.h"
#include "umklib/syslib.h"

namespace umk::devman {

// The tables (tables.h): what state.cc checkpoints.
Driver drivers[NR_DRIVERS];
File files[NR_FILES];
FProc fprocs[NR_FPROCS];
Pipe pipes[NR_PIPES];
Suspended suspended[NR_SUSPENDED];
DevRequest requests[NR_DEV_REQUESTS];
endpoint_t self = NONE;
bool subscribed = false;
std::uint32_t last_id = 0;
clock_t_ alarm_at = 0;

namespace {

clock_t_ deadline_ticks = 0;  // DRIVER_DEADLINE_SECONDS in ticks

// Answers for callers other than the one whose request is being handled
// (a woken reader, a finished device request): sent after the checkpoint.
// At most every suspended and every device request finish in one message.
struct Reply {
    endpoint_t who;
    int result;
};
Reply replies[NR_SUSPENDED + NR_DEV_REQUESTS + 1];
int nr_replies = 0;

Driver* find(const char* label) {
    for (Driver& d : drivers) {
        if (d.in_use && str::eq(d.label, label)) return &d;
    }
    return nullptr;
}

// Ask DS where driver `label` is: its announcement, checked against its label.
Driver* refresh(const char* label) {
    char key[DS_MAX_KEYLEN];
    str::copy(key, DEV_DS_PREFIX, sizeof key);
    std::size_t n = str::len(key);
    str::copy(key + n, label, sizeof key - n);
    std::uint32_t announced = 0, labelled = 0;
    Driver* d = find(label);
    if (ds_retrieve_u32(key, &announced) != OK) {
        if (d) d->in_use = false;  // withdrawn
        return nullptr;
    }
    int r = ds_retrieve_label_num(label, &labelled);
    if (r != OK || labelled != announced) {
        log_printf("devman: ignoring %s = %u: RS knows %s as %u (%d)\n", key, announced, label,
                   labelled, r);
        return d;
    }
    if (!d) {
        for (Driver& free : drivers) {
            if (!free.in_use) {
                d = &free;
                break;
            }
        }
        if (!d) {
            log_printf("devman: driver table full, cannot add %s\n", label);
            return nullptr;
        }
        d->in_use = true;
        str::copy(d->label, label, sizeof d->label);
    }
    if (d->endpoint != static_cast<endpoint_t>(announced))
        log_printf("devman: /dev/%s is served by endpoint %u\n", label, announced);
    d->endpoint = static_cast<endpoint_t>(announced);
    return d;
}

// ---- descriptors and open files ----

FProc* fproc_free() {
    for (FProc& p : fprocs)
        if (!p.in_use) return &p;
    return nullptr;
}

FProc* fproc_of(endpoint_t ep) {
    for (FProc& p : fprocs)
        if (p.in_use && p.endpoint == ep) return &p;
    return nullptr;
}

FProc* fproc_new(endpoint_t ep) {
    if (fproc_free() == nullptr) reap_dead();
    for (FProc& p : fprocs) {
        if (p.in_use) continue;
        p.in_use = true;
        p.endpoint = ep;
        for (int& fd : p.fd) fd = -1;
        p.cloexec = 0;
        p.user = false;
        return &p;
    }
    return nullptr;
}

// The caller's table, made on first use; nullptr if devman has no room.
FProc* fproc_or_new(endpoint_t ep) {
    FProc* p = fproc_of(ep);
    return p ? p : fproc_new(ep);
}

int free_fd(const FProc& p) {
    for (int fd = 0; fd < OPEN_MAX; fd++)
        if (p.fd[fd] < 0) return fd;
    return -1;
}

int file_new(FileKind kind, bool reaped = false) {
    for (int i = 0; i < NR_FILES; i++) {
        if (files[i].kind != FileKind::FREE) continue;
        files[i] = File{kind, 0, -1, -1, 0};
        return i;
    }
    if (reaped) return -1;
    reap_dead();
    return file_new(kind, true);
}

// The open file behind the caller's descriptor fd, or nullptr (EBADF).
File* file_of(endpoint_t who, int fd, int* index = nullptr) {
    FProc* p = fproc_of(who);
    if (!p || fd < 0 || fd >= OPEN_MAX || p->fd[fd] < 0) return nullptr;
    if (index) *index = p->fd[fd];
    return &files[p->fd[fd]];
}

// ---- requests to drivers (MINIX VFS: asynsend, the caller suspended) ----

void reply_to(endpoint_t who, int result) {
    reply_later(who, result);
}
void driver_close(int driver, endpoint_t who);

const char* request_name(int type) {
    switch (type) {
        case DEV_OPEN:
            return "open";
        case DEV_CLOSE:
            return "close";
        case DEV_READ_S:
            return "read";
        case DEV_WRITE_S:
            return "write";
        default:
            return "?";
    }
}

clock_t_ now() {
    clock_t_ t = 0;
    sys_uptime(&t);
    return t;
}

}  // namespace

// One alarm for every deadline: the earliest one. A stale alarm only makes
// expire_requests look for nothing.
void arm_alarm() {
    clock_t_ first = 0;
    for (const DevRequest& rq : requests)
        if (rq.in_use && (first == 0 || rq.deadline < first)) first = rq.deadline;
    if (first == 0 || (alarm_at != 0 && alarm_at <= first)) return;
    int r = sys_setalarm(first, true);
    if (r != OK) {
        log_printf("devman: cannot set the alarm for driver deadlines: %d\n", r);
        return;
    }
    alarm_at = first;
}

namespace {

void revoke_grant(DevRequest& rq) {
    if (rq.grant != GRANT_INVALID) cpf_revoke(rq.grant);
    rq.grant = GRANT_INVALID;
}

// The request is over with `status` (the driver's REP_STATUS, or EIO):
// answer the suspended caller.
void finish(DevRequest& rq, int status) {
    revoke_grant(rq);
    rq.in_use = false;
    const endpoint_t caller = rq.caller;
    const int type = rq.req.m_type;
    int result = status;
    if (type == DEV_OPEN && rq.file >= 0) {
        FProc* p = caller != NONE ? fproc_of(caller) : nullptr;
        int fd = p ? free_fd(*p) : -1;
        if (status >= 0 && fd >= 0) {
            files[rq.file].refs = 1;
            p->fd[fd] = rq.file;
            result = fd;
        } else {
            files[rq.file] = File{};
            if (status >= 0) {
                // Opened for a caller that is gone (or has no room): undo it.
                driver_close(rq.driver, rq.req.IO_ENDPT);
                result = -EMFILE;
            }
        }
    } else if ((type == DEV_READ_S || type == DEV_WRITE_S) && status >= 0) {
        if (status > rq.req.COUNT) {
            log_printf("devman: driver %s answered %d bytes for a %d-byte request: EIO\n",
                       drivers[rq.driver].label, status, static_cast<int>(rq.req.COUNT));
            result = -EIO;
        } else if (rq.file >= 0) {
            files[rq.file].position += status;
        }
    }
    if (caller != NONE) reply_to(caller, result);
}

DevRequest* request_new() {
    for (DevRequest& rq : requests)
        if (!rq.in_use) return &rq;
    return nullptr;
}

void driver_moved(int driver, endpoint_t old);

}  // namespace

// Send rq to its driver without waiting: sendnb if the driver is receiving,
// else asynsend (the kernel delivers it at the driver's next receive). A
// dead driver is looked up again in DS and, once, asked at its new endpoint.
// False: rq was finished (EIO).
bool send_request(DevRequest& rq) {
    Driver& d = drivers[rq.driver];
    if (rq.req.m_type == DEV_READ_S || rq.req.m_type == DEV_WRITE_S) {
        // The grant names the driver's endpoint: a new one after a restart.
        revoke_grant(rq);
        const bool write = rq.req.m_type == DEV_WRITE_S;
        rq.grant =
            cpf_grant_magic(rq.driver_ep, rq.caller, rq.addr,
                            static_cast<std::size_t>(rq.req.COUNT), write ? CPF_READ : CPF_WRITE);
        if (rq.grant < 0) {
            rq.grant = GRANT_INVALID;
            finish(rq, -ENOSPC);
            return false;
        }
        rq.req.IO_GRANT = static_cast<vir_bytes>(rq.grant);
    }
    // The driver may act on it at once: it must be in the checkpoint first,
    // so that a replica after a crash knows its id and reserves its grant.
    state_checkpoint();
    message m = rq.req;
    int r = ipc_sendnb(rq.driver_ep, &m);
    if (r == -ENOTREADY) {
        m = rq.req;
        r = asynsend(rq.driver_ep, &m);
    }
    if (r == OK) return true;
    if ((r == -EDEADSRCDST || r == -EDSTDIED) && !rq.retried) {
        const endpoint_t old = rq.driver_ep;
        char label[sizeof d.label];
        str::copy(label, d.label, sizeof label);
        Driver* again = refresh(label);
        if (again == &d && d.endpoint != old) {
            driver_moved(rq.driver, old);  // sends rq again, with the others
            return rq.in_use;
        }
    }
    log_printf("devman: cannot send %s request %u to driver %s (endpoint %d): %d; EIO\n",
               request_name(rq.req.m_type), rq.id, d.label, rq.driver_ep, r);
    finish(rq, -EIO);
    return false;
}

namespace {

// Start a request to driver `driver` for `caller` (NONE: nobody waits).
// -EDONTREPLY (the caller is suspended) or an error.
int start_request(int driver, endpoint_t caller, int file, vir_bytes addr, const message& req) {
    // A driver that does not answer must not take every slot: the callers of
    // other drivers would get EAGAIN.
    int at_driver = 0;
    for (const DevRequest& o : requests) at_driver += o.in_use && o.driver == driver;
    if (at_driver >= REQUESTS_PER_DRIVER) {
        log_printf("devman: %d requests outstanding at driver %s; %s for %d gets EAGAIN\n",
                   at_driver, drivers[driver].label, request_name(req.m_type), caller);
        return -EAGAIN;
    }
    DevRequest* rq = request_new();
    if (!rq) {
        log_printf("devman: %d device requests outstanding; %s for %d gets EAGAIN\n",
                   NR_DEV_REQUESTS, request_name(req.m_type), caller);
        return -EAGAIN;
    }
    if (++last_id == 0) last_id = 1;
    *rq = DevRequest{true,
                     last_id,
                     driver,
                     drivers[driver].endpoint,
                     caller,
                     file,
                     GRANT_INVALID,
                     addr,
                     now() + deadline_ticks,
                     false,
                     false,
                     req};
    rq->req.DEVICE = 0;
    rq->req.DEV_REQ_ID = rq->id;
    if (!send_request(*rq)) return -EDONTREPLY;  // answered already (EIO)
    arm_alarm();
    return -EDONTREPLY;
}

// Tell the driver a file is closed. Nobody waits; if every request slot is
// taken it goes out untracked and its answer is dropped as unknown.
void driver_close(int driver, endpoint_t who) {
    Driver& d = drivers[driver];
    if (!d.in_use) return;
    message req{};
    req.m_type = DEV_CLOSE;
    req.IO_ENDPT = who;
    if (start_request(driver, NONE, -1, 0, req) == -EAGAIN) {
        req.DEV_REQ_ID = 0;
        asynsend(d.endpoint, &req);
    }
}

// Driver `driver` now lives at a new endpoint (a restart): its requests at
// `old` go to the new instance once (a stateless device does not notice);
// one already retried, or a close, fails.
void driver_moved(int driver, endpoint_t old) {
    Driver& d = drivers[driver];
    for (DevRequest& rq : requests) {
        if (!rq.in_use || rq.driver != driver || rq.driver_ep != old) continue;
        if (rq.retried || rq.req.m_type == DEV_CLOSE || !d.in_use) {
            log_printf("devman: driver %s (endpoint %d) died with %s request %u pending; EIO\n",
                       d.label, old, request_name(rq.req.m_type), rq.id);
            finish(rq, -EIO);
            continue;
        }
        rq.retried = true;
        rq.driver_ep = d.endpoint;
        send_request(rq);
    }
}

// MINIX RS restarts a service that misses heartbeats; a driver may answer
// those and still ignore devman. devman asks RS to restart it (RS_RESTART,
// as `service restart` does; asynsend: devman never waits for RS), once per
// endpoint: the new instance gets a new endpoint.
void report_driver(Driver& d, endpoint_t ep) {
    if (d.reported == ep) return;
    d.reported = ep;
    message m{};
    m.m_type = RS_RESTART;
    str::copy(m.RS_NAME, d.label, sizeof m.RS_NAME);
    int r = asynsend(RS_PROC_NR, &m);
    log_printf("devman: asking RS to restart driver %s (endpoint %d): %s\n", d.label, ep,
               r == OK ? "sent" : "cannot send");
}

// ---- pipes ----

constexpr int PENDING = 1 << 30;  // try_pipe: cannot finish yet

// Copy between the pipe's ring and `who`'s buffer through a magic grant
// to devman itself (devman may make those; `who` can make no grants).
int pipe_copy(Pipe& p, endpoint_t who, vir_bytes addr, std::size_t n, bool into_pipe) {
    cp_grant_id_t g = cpf_grant_magic(self, who, addr, n, into_pipe ? CPF_READ : CPF_WRITE);
    if (g < 0) return -ENOSPC;
    int r = OK;
    std::size_t at = into_pipe ? (p.head + p.count) % DEVMAN_PIPE_BUF : p.head;
    for (std::size_t off = 0; r == OK && off < n;) {
        std::size_t chunk = n - off;
        if (chunk > DEVMAN_PIPE_BUF - at) chunk = DEVMAN_PIPE_BUF - at;
        r = into_pipe ? sys_safecopyfrom(self, g, off, vir_addr(p.buf + at), chunk)
                      : sys_safecopyto(self, g, off, vir_addr(p.buf + at), chunk);
        off += chunk;
        at = (at + chunk) % DEVMAN_PIPE_BUF;
    }
    cpf_revoke(g);
    if (r != OK) return r;
    if (into_pipe) {
        p.count += n;
    } else {
        p.head = (p.head + n) % DEVMAN_PIPE_BUF;
        p.count -= n;
        if (p.count == 0) p.head = 0;
    }
    return OK;
}

// Try to finish a pipe request: the reply's m_type, or PENDING.
int try_pipe(Suspended& rq) {
    Pipe& p = pipes[files[rq.file].pipe];
    if (!rq.write) {
        if (rq.want == 0) return 0;
        if (p.count == 0) return p.writers == 0 ? 0 : PENDING;  // 0: end of file
        std::size_t n = rq.want < p.count ? rq.want : p.count;
        int r = pipe_copy(p, rq.who, rq.addr, n, false);
        return r != OK ? r : static_cast<int>(n);
    }
    if (p.readers == 0) return rq.done > 0 ? static_cast<int>(rq.done) : -EPIPE;
    std::size_t left = rq.want - rq.done;
    std::size_t room = DEVMAN_PIPE_BUF - p.count;
    // POSIX: a write of at most PIPE_BUF bytes is not interleaved with others.
    if (left <= static_cast<std::size_t>(DEVMAN_PIPE_BUF) && room < left && rq.done == 0)
        return PENDING;
    std::size_t n = left < room ? left : room;
    if (n > 0) {
        int r = pipe_copy(p, rq.who, rq.addr + rq.done, n, true);
        if (r != OK) return rq.done > 0 ? static_cast<int>(rq.done) : r;
        rq.done += n;
    }
    return rq.done == rq.want ? static_cast<int>(rq.done) : PENDING;
}

// MINIX VFS: a write to a pipe without readers fails with EPIPE and raises
// SIGPIPE. Only for user processes (PM, their signal manager, ends them); a
// system process's manager would take SIGPIPE for a crash.
void raise_sigpipe(endpoint_t who) {
    FProc* p = fproc_of(who);
    if (!p || !p->user) return;
    int r = sys_kill(who, SIGPIPE);
    if (r != OK) log_printf("devman: cannot send SIGPIPE to %d: %d\n", who, r);
}

// The pipe changed (data, room, an end closed): finish what can finish.
void pipe_progress(int pipe) {
    for (bool again = true; again;) {
        again = false;
        for (Suspended& s : suspended) {
            if (!s.in_use || s.orphan || files[s.file].pipe != pipe) continue;
            int r = try_pipe(s);
            if (r == PENDING) continue;
            s.in_use = false;
            if (r == -EPIPE) raise_sigpipe(s.who);
            reply_to(s.who, r);
            again = true;
        }
    }
}

int pipe_io(endpoint_t who, int file, bool write, vir_bytes addr, std::size_t want) {
    Suspended rq{true, who, file, write, addr, want, 0, false};
    // The same write again after a devman crash (ERESTART): go on where the
    // crashed instance was, so the bytes it had moved are not written twice.
    for (Suspended& o : suspended) {
        if (!o.in_use || !o.orphan || o.who != who) continue;
        if (write && o.file == file && o.addr == addr && o.want == want) rq.done = o.done;
        o.in_use = false;
    }
    int r = try_pipe(rq);
    if (r == PENDING) {
        Suspended* slot = nullptr;
        for (Suspended& s : suspended) {
            if (!s.in_use) {
                slot = &s;
                break;
            }
        }
        if (!slot) {
            log_printf("devman: too many suspended pipe requests; %d gets EAGAIN\n", who);
            r = rq.done > 0 ? static_cast<int>(rq.done) : -EAGAIN;
        } else {
            *slot = rq;
            r = -EDONTREPLY;
        }
    }
    pipe_progress(files[file].pipe);  // others may go on now
    if (r == -EPIPE) raise_sigpipe(who);
    return r;
}

// ---- closing ----

// One reference to open file `i` less; the last one closes it (the driver
// is told; a pipe end's departure wakes the other side).
void file_put(int i, endpoint_t who) {
    File& f = files[i];
    if (--f.refs > 0) return;
    FileKind kind = f.kind;
    int pipe = f.pipe;
    if (kind == FileKind::DEVICE && f.driver >= 0)
        driver_close(f.driver, who);  // the file is closed whatever the driver says
    f = File{};
    if (kind == FileKind::PIPE_READ || kind == FileKind::PIPE_WRITE) {
        Pipe& p = pipes[pipe];
        (kind == FileKind::PIPE_READ ? p.readers : p.writers)--;
        if (p.readers == 0 && p.writers == 0)
            p.in_use = false;
        else
            pipe_progress(pipe);  // readers see the end, writers EPIPE
    }
}

void fd_close(FProc& p, int fd) {
    int i = p.fd[fd];
    p.fd[fd] = -1;
    p.cloexec &= ~(1u << fd);
    file_put(i, p.endpoint);
}

}  // namespace

void tables_clear() {
    for (Driver& d : drivers) d = Driver{};
    for (File& f : files) f = File{};
    for (FProc& p : fprocs) p = FProc{};
    for (Pipe& p : pipes) {
        p.in_use = false;
        p.head = p.count = 0;
    }
    for (Suspended& s : suspended) s = Suspended{};
    for (DevRequest& rq : requests) rq = DevRequest{};
    subscribed = false;
    last_id = 0;
    alarm_at = 0;
    nr_replies = 0;
}

void reply_later(endpoint_t who, int result) {
    if (nr_replies == static_cast<int>(sizeof replies / sizeof replies[0])) flush_replies();
    replies[nr_replies++] = Reply{who, result};
}

void flush_replies() {
    const int n = nr_replies;
    nr_replies = 0;
    for (int i = 0; i < n; i++) {
        message m{};
        m.m_type = replies[i].result;
        int r = ipc_sendnb(replies[i].who, &m);
        if (r != OK) log_printf("devman: cannot answer %d: %d\n", replies[i].who, r);
    }
}

void devman_init(endpoint_t me) {
    tables_clear();
    self = me;
    const int hz = sys_hz();
    deadline_ticks = static_cast<clock_t_>(DRIVER_DEADLINE_SECONDS) * (hz > 0 ? hz : 60);
}

void subscribe() {
    if (subscribed) return;
    int r = ds_subscribe("dev\\..*", DSF_TYPE_U32 | DSF_INITIAL | DSF_OVERWRITE);
    if (r == OK)
        subscribed = true;
    else
        log_printf("devman: cannot subscribe to driver announcements yet: %d\n", r);
}

void ds_changed() {
    char key[DS_MAX_KEYLEN];
    int type = 0;
    while (ds_check(key, &type) == OK) {
        if (!str::starts_with(key, DEV_DS_PREFIX)) continue;
        const char* label = key + str::len(DEV_DS_PREFIX);
        Driver* before = find(label);
        const endpoint_t old = before ? before->endpoint : NONE;
        Driver* d = refresh(label);
        // A new instance (or none any more): what the old one had pending
        // goes to the new one, or fails.
        if (before && (d != before || !before->in_use || before->endpoint != old))
            driver_moved(static_cast<int>(before - drivers), old);
    }
}

int do_open(message& m) {
    char path[DEVMAN_PATH_MAX];
    if (str::nlen(m.DEVMAN_PATH, sizeof path) == sizeof path) return -EINVAL;
    str::copy(path, m.DEVMAN_PATH, sizeof path);
    if (!str::starts_with(path, DEV_PATH_PREFIX)) return -ENOENT;
    const char* label = path + str::len(DEV_PATH_PREFIX);
    if (label[0] == '\0' || str::len(label) >= sizeof(Driver::label)) return -ENOENT;

    Driver* d = find(label);
    if (!d) d = refresh(label);
    if (!d) return -ENODEV;
    FProc* p = fproc_or_new(m.m_source);
    if (!p) return -ENFILE;
    if (free_fd(*p) < 0) return -EMFILE;
    int i = file_new(FileKind::DEVICE);
    if (i < 0) return -ENFILE;
    // Reserved (refs 0) until the driver answers; the descriptor is taken
    // then (the caller, suspended, cannot take it meanwhile).
    files[i].driver = static_cast<int>(d - drivers);

    message req{};
    req.m_type = DEV_OPEN;
    req.IO_ENDPT = m.m_source;
    int r = start_request(files[i].driver, m.m_source, i, 0, req);
    if (r != -EDONTREPLY) files[i] = File{};
    return r;
}

namespace {

// DEV_READ_S / DEV_WRITE_S for `who`'s buffer, through a magic grant the
// driver uses directly: no copy in devman, no size limit. The caller waits
// suspended; the answer (or the deadline) finishes it.
int device_io(int file, endpoint_t who, bool write, vir_bytes addr, std::int32_t want) {
    File& f = files[file];
    if (!drivers[f.driver].in_use) return -EIO;
    message req{};
    req.m_type = write ? DEV_WRITE_S : DEV_READ_S;
    req.IO_ENDPT = self;
    req.POSITION = f.position;
    req.COUNT = want;
    return start_request(f.driver, who, file, addr, req);
}

int read_write(message& m, bool write) {
    int i = -1;
    File* f = file_of(m.m_source, m.DEVMAN_FD, &i);
    if (!f) return -EBADF;
    std::int32_t want = m.DEVMAN_NBYTES;
    if (want < 0) return -EINVAL;
    vir_bytes addr = m.DEVMAN_BUFFER;
    if (addr + static_cast<vir_bytes>(want) < addr) return -EFAULT;
    switch (f->kind) {
        case FileKind::DEVICE:
            if (want == 0) return 0;
            return device_io(i, m.m_source, write, addr, want);
        case FileKind::PIPE_READ:
            if (write) return -EBADF;
            return pipe_io(m.m_source, i, false, addr, static_cast<std::size_t>(want));
        case FileKind::PIPE_WRITE:
            if (!write) return -EBADF;
            return pipe_io(m.m_source, i, true, addr, static_cast<std::size_t>(want));
        case FileKind::FREE:
            break;
    }
    return -EBADF;
}

}  // namespace

int do_read(message& m) {
    return read_write(m, false);
}

int do_write(message& m) {
    return read_write(m, true);
}

int do_close(message& m) {
    FProc* p = fproc_of(m.m_source);
    int fd = m.DEVMAN_FD;
    if (!p || fd < 0 || fd >= OPEN_MAX || p->fd[fd] < 0) return -EBADF;
    for (Suspended& o : suspended)  // a write it will not repeat now
        if (o.in_use && o.orphan && o.who == m.m_source) o.in_use = false;
    fd_close(*p, fd);
    // An empty table is no table: free it for others (system processes
    // never exit through PM, so this is where theirs goes).
    bool empty = !p->user;  // a user's table goes at its exit
    for (int i : p->fd) empty = empty && i < 0;
    if (empty) *p = FProc{};
    return OK;
}

int do_pipe(message& m) {
    FProc* p = fproc_or_new(m.m_source);
    if (!p) return -ENFILE;
    int rfd = free_fd(*p);
    if (rfd < 0) return -EMFILE;
    p->fd[rfd] = NR_FILES;  // held while looking for the second descriptor
    int wfd = free_fd(*p);
    p->fd[rfd] = -1;
    if (wfd < 0) return -EMFILE;
    if (pipes_of(m.m_source) >= PIPES_PER_OWNER) {
        log_printf("devman: %d holds %d pipes already (the most one process may): ENFILE\n",
                   m.m_source, PIPES_PER_OWNER);
        return -ENFILE;
    }
    int pipe = 0;
    while (pipe < NR_PIPES && pipes[pipe].in_use) pipe++;
    if (pipe == NR_PIPES) {
        reap_dead();
        pipe = 0;
        while (pipe < NR_PIPES && pipes[pipe].in_use) pipe++;
    }
    if (pipe == NR_PIPES) return -ENFILE;
    int ri = file_new(FileKind::PIPE_READ);
    if (ri < 0) return -ENFILE;
    files[ri].refs = 1;  // claimed, so the next search skips it
    int wi = file_new(FileKind::PIPE_WRITE);
    if (wi < 0) {
        files[ri] = File{};
        return -ENFILE;
    }
    Pipe& pp = pipes[pipe];
    pp.in_use = true;
    pp.owner = m.m_source;
    pp.readers = pp.writers = 1;
    pp.head = pp.count = 0;
    files[ri].pipe = files[wi].pipe = pipe;
    files[wi].refs = 1;
    p->fd[rfd] = ri;
    p->fd[wfd] = wi;
    if (m.DEVMAN_PIPE_FLAGS & DEVMAN_O_CLOEXEC) p->cloexec |= (1u << rfd) | (1u << wfd);
    m.DEVMAN_FD0 = rfd;
    m.DEVMAN_FD1 = wfd;
    return OK;
}

int do_dup2(message& m) {
    FProc* p = fproc_of(m.m_source);
    int fd = m.DEVMAN_FD, to = m.DEVMAN_FD2;
    if (!p || fd < 0 || fd >= OPEN_MAX || p->fd[fd] < 0) return -EBADF;
    if (to < 0 || to >= OPEN_MAX) return -EBADF;
    if (to == fd) return to;
    int i = p->fd[fd];
    files[i].refs++;  // first: closing `to` may not drop the file we copy
    if (p->fd[to] >= 0) fd_close(*p, to);
    p->fd[to] = i;
    p->cloexec &= ~(1u << to);  // POSIX: dup2 clears close-on-exec
    return to;
}

int do_fork(message& m) {
    if (m.m_source != PM_PROC_NR) return -EPERM;
    endpoint_t parent = m.DEVMAN_FORK_PARENT, child = m.DEVMAN_FORK_CHILD;
    if (child == NONE || child == ANY || child == parent) return -EINVAL;
    if (FProc* old = fproc_of(child)) proc_exit(old->endpoint);  // a stale table
    FProc* to = fproc_new(child);
    if (!to) return -EAGAIN;
    to->user = true;  // PM spawns user processes only
    const FProc* from = fproc_of(parent);
    if (!from) return OK;  // nothing open: the child starts empty too
    for (int fd = 0; fd < OPEN_MAX; fd++) {
        if (from->fd[fd] < 0 || (from->cloexec & (1u << fd))) continue;
        to->fd[fd] = from->fd[fd];
        files[from->fd[fd]].refs++;
    }
    return OK;
}

// PM: a process is gone. Drop its suspended requests, close its files.
void proc_exit(endpoint_t ep) {
    for (Suspended& s : suspended)
        if (s.in_use && s.who == ep) s.in_use = false;
    // Its device requests stay until the driver answers (then dropped), but
    // the grant for its memory goes now, and so does its claim on the file.
    for (DevRequest& rq : requests) {
        if (!rq.in_use || rq.caller != ep) continue;
        rq.caller = NONE;
        revoke_grant(rq);
        if (rq.req.m_type != DEV_OPEN) rq.file = -1;
    }
    FProc* p = fproc_of(ep);
    if (!p) return;
    for (int fd = 0; fd < OPEN_MAX; fd++)
        if (p->fd[fd] >= 0) fd_close(*p, fd);
    *p = FProc{};
}

namespace {

// Is `ep` no live process any more? The kernel knows whatever the way it
// died (exit, crash, kill, restart under a new endpoint), PM or not.
bool gone(endpoint_t ep) {
    proc_info pi{};
    return sys_getinfo(GET_PROCINFO, &pi, sizeof pi, ep) == -EINVAL;
}

}  // namespace

// A table is full: give back what dead processes hold. PM reports the exits
// of user processes; nobody reports a system process that dies, and a dead
// process cannot give anything back itself.
void reap_dead() {
    for (FProc& p : fprocs) {
        if (!p.in_use || !gone(p.endpoint)) continue;
        log_printf("devman: process %d is gone; closing its %d descriptors\n", p.endpoint,
                   descriptors_of(p.endpoint));
        proc_exit(p.endpoint);
    }
}

namespace {

int dispatch(message& m) {
    subscribe();
    if (m.m_type == DEVMAN_PROC_EXIT) {
        if (m.m_source == PM_PROC_NR) proc_exit(m.DEVMAN_EXIT_ENDPT);
        return -EDONTREPLY;
    }
    if (is_notify(m.m_type)) {
        if (m.m_source == DS_PROC_NR) ds_changed();
        if (m.m_source == CLOCK) expire_requests();
        return -EDONTREPLY;
    }
    if (m.m_type == DEV_REPLY) {
        driver_reply(m);
        return -EDONTREPLY;
    }
    // RS's answer to a report (report_driver): nothing to do, never answer.
    if (m.m_source == RS_PROC_NR && m.m_type <= OK) return -EDONTREPLY;
    switch (m.m_type) {
        case DEVMAN_OPEN:
            return do_open(m);
        case DEVMAN_READ:
            return do_read(m);
        case DEVMAN_WRITE:
            return do_write(m);
        case DEVMAN_CLOSE:
            return do_close(m);
        case DEVMAN_PIPE:
            return do_pipe(m);
        case DEVMAN_DUP2:
            return do_dup2(m);
        case DEVMAN_FORK:
            return do_fork(m);
        default:
            log_printf("devman: unknown request %d from %d\n", m.m_type, m.m_source);
            return -ENOSYS;
    }
}

}  // namespace

int handle_request(message& m) {
    const int result = dispatch(m);
    state_checkpoint();
    flush_replies();
    return result;
}

void driver_reply(const message& m) {
    const auto id = static_cast<std::uint32_t>(m.DEV_REQ_ID);
    for (DevRequest& rq : requests) {
        if (rq.in_use && rq.id == id && rq.driver_ep == m.m_source) {
            if (rq.regrant && m.REP_STATUS < 0) {
                // The driver could not use a grant of another devman image:
                // once more, with a grant of ours.
                rq.regrant = false;
                log_printf(
                    "devman: %s request %u to driver %s failed (%d) across an update; "
                    "sending it again\n",
                    request_name(rq.req.m_type), rq.id, drivers[rq.driver].label,
                    static_cast<int>(m.REP_STATUS));
                if (send_request(rq)) arm_alarm();
                return;
            }
            finish(rq, m.REP_STATUS);
            return;
        }
    }
    // Past its deadline, or for a caller that is gone: never anyone else's.
    if (id != 0)
        log_printf("devman: dropping an answer from %d to request %u nobody waits for\n",
                   m.m_source, id);
}

void expire_requests() {
    alarm_at = 0;
    const clock_t_ t = now();
    for (DevRequest& rq : requests) {
        if (!rq.in_use || rq.deadline > t) continue;
        Driver& d = drivers[rq.driver];
        log_printf(
            "devman: driver %s (endpoint %d) did not answer %s request %u within %d s: EIO for "
            "%d\n",
            d.label, rq.driver_ep, request_name(rq.req.m_type), rq.id, DRIVER_DEADLINE_SECONDS,
            rq.caller);
        const endpoint_t ep = rq.driver_ep;
        finish(rq, -EIO);
        if (d.in_use && d.endpoint == ep) report_driver(d, ep);
    }
    arm_alarm();
}

const Driver* driver(const char* label) {
    return find(label);
}

int open_files() {
    int n = 0;
    for (const File& f : files) n += f.kind != FileKind::FREE;
    return n;
}

int open_pipes() {
    int n = 0;
    for (const Pipe& p : pipes) n += p.in_use;
    return n;
}

int suspended_requests() {
    int n = 0;
    for (const Suspended& s : suspended) n += s.in_use && !s.orphan;
    return n;
}

int driver_requests() {
    int n = 0;
    for (const DevRequest& rq : requests) n += rq.in_use;
    return n;
}

int pipes_of(endpoint_t owner) {
    int n = 0;
    for (const Pipe& p : pipes) n += p.in_use && p.owner == owner;
    return n;
}

int descriptors_of(endpoint_t ep) {
    const FProc* p = fproc_of(ep);
    int n = 0;
    if (p)
        for (int fd : p->fd) n += fd >= 0;
    return n;
}

}  // namespace umk::devman
