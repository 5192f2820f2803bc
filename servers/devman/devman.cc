#include "devman.h"

#include "umk/err.h"
#include "umkds/str.h"
#include "umklib/dev_proto.h"
#include "umklib/ds.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/pm_proto.h"
#include "umklib/syslib.h"

namespace umk::devman {
namespace {

Driver drivers[NR_DRIVERS];
File files[NR_FILES];
endpoint_t self = NONE;
bool subscribed = false;
// The driver writes here; devman copies on to the user (two grants, no
// indirect one: each party only ever trusts its direct peer).
std::uint8_t bounce[IO_CHUNK];

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

File* file_of(const message& m) {
    int fd = m.DEVMAN_FD;
    if (fd < 0 || fd >= NR_FILES) return nullptr;
    File& f = files[fd];
    return f.in_use && f.owner == m.m_source ? &f : nullptr;
}

// One request to the driver of `d`; a driver that died is looked up again
// in DS and asked once more (a restart gives it a new endpoint).
int ask_driver(Driver& d, const message& req) {
    message m = req;
    int r = ipc_sendrec(d.endpoint, &m);
    if (r == -EDEADSRCDST || r == -ESRCDIED || r == -EDSTDIED) {
        char label[sizeof d.label];
        str::copy(label, d.label, sizeof label);
        endpoint_t old = d.endpoint;
        Driver* again = refresh(label);
        if (!again || again->endpoint == old) return -EIO;
        m = req;
        r = ipc_sendrec(again->endpoint, &m);
    }
    if (r != OK) return -EIO;
    if (m.m_type != DEV_REPLY) return -EIO;
    return m.REP_STATUS;
}

}  // namespace

void devman_init(endpoint_t me) {
    for (Driver& d : drivers) d = Driver{};
    for (File& f : files) f = File{};
    self = me;
    subscribed = false;
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
        if (str::starts_with(key, DEV_DS_PREFIX)) refresh(key + str::len(DEV_DS_PREFIX));
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
    int fd = 0;
    while (fd < NR_FILES && files[fd].in_use) fd++;
    if (fd == NR_FILES) return -ENOSPC;

    message req{};
    req.m_type = DEV_OPEN;
    req.DEVICE = 0;
    req.IO_ENDPT = m.m_source;
    int r = ask_driver(*d, req);
    if (r < 0) return r;
    files[fd] = File{true, m.m_source, static_cast<int>(d - drivers), 0};
    return fd;
}

int do_read(message& m) {
    File* f = file_of(m);
    if (!f) return -EINVAL;  // EBADF
    int want = m.DEVMAN_NBYTES;
    if (want < 0) return -EINVAL;
    bool inline_reply = m.DEVMAN_GRANT == GRANT_INVALID;
    if (inline_reply && want > DEVMAN_INLINE_MAX) want = DEVMAN_INLINE_MAX;
    if (want > IO_CHUNK) want = IO_CHUNK;
    if (want == 0) return 0;
    Driver& d = drivers[f->driver];
    if (!d.in_use) return -EIO;

    cp_grant_id_t g =
        cpf_grant_direct(d.endpoint, vir_addr(bounce), static_cast<std::size_t>(want), CPF_WRITE);
    if (g < 0) return -ENOSPC;
    message req{};
    req.m_type = DEV_READ_S;
    req.DEVICE = 0;
    req.IO_ENDPT = self;
    req.POSITION = f->position;
    req.COUNT = want;
    req.IO_GRANT = static_cast<vir_bytes>(g);
    endpoint_t before = d.endpoint;
    int n = ask_driver(d, req);
    cpf_revoke(g);
    // The driver was restarted under us: the retry went to the new endpoint,
    // which our grant did not name. Grant again.
    if (n == -EPERM && d.in_use && d.endpoint != before) {
        g = cpf_grant_direct(d.endpoint, vir_addr(bounce), static_cast<std::size_t>(want),
                             CPF_WRITE);
        req.IO_GRANT = static_cast<vir_bytes>(g);
        n = ask_driver(d, req);
        cpf_revoke(g);
    }
    if (n < 0) return n;
    if (n > want) return -EIO;
    if (n > 0 && inline_reply) {
        str::mem_copy(m.DEVMAN_DATA, bounce, static_cast<std::size_t>(n));
    } else if (n > 0) {
        int r = sys_safecopyto(m.m_source, m.DEVMAN_GRANT, 0, vir_addr(bounce),
                               static_cast<std::size_t>(n));
        if (r != OK) return r;
    }
    f->position += n;
    return n;
}

int do_close(message& m) {
    File* f = file_of(m);
    if (!f) return -EINVAL;
    Driver& d = drivers[f->driver];
    if (d.in_use) {
        message req{};
        req.m_type = DEV_CLOSE;
        req.DEVICE = 0;
        req.IO_ENDPT = m.m_source;
        ask_driver(d, req);  // the file is closed whatever the driver says
    }
    *f = File{};
    return OK;
}

// PM: a process is gone. Close its files, telling the drivers.
void proc_exit(endpoint_t ep) {
    for (File& f : files) {
        if (!f.in_use || f.owner != ep) continue;
        Driver& d = drivers[f.driver];
        if (d.in_use) {
            message req{};
            req.m_type = DEV_CLOSE;
            req.DEVICE = 0;
            req.IO_ENDPT = ep;
            ask_driver(d, req);
        }
        f = File{};
    }
}

int handle_request(message& m) {
    subscribe();
    if (m.m_type == DEVMAN_PROC_EXIT) {
        if (m.m_source == PM_PROC_NR) proc_exit(m.DEVMAN_EXIT_ENDPT);
        return -EDONTREPLY;
    }
    if (is_notify(m.m_type)) {
        if (m.m_source == DS_PROC_NR) ds_changed();
        return -EDONTREPLY;
    }
    switch (m.m_type) {
        case DEVMAN_OPEN:
            return do_open(m);
        case DEVMAN_READ:
            return do_read(m);
        case DEVMAN_CLOSE:
            return do_close(m);
        default:
            log_printf("devman: unknown request %d from %d\n", m.m_type, m.m_source);
            return -ENOSYS;
    }
}

const Driver* driver(const char* label) {
    return find(label);
}

int open_files() {
    int n = 0;
    for (const File& f : files) n += f.in_use;
    return n;
}

}  // namespace umk::devman
