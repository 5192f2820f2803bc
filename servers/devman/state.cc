// devman's state across a live update and a crash (umklib/sef_state.h).
//
// The image: a header (magic, table lengths and record sizes, so that
// another layout is refused), the tables as they are (drivers, open files,
// descriptor tables, pipes without their rings, suspended pipe requests,
// device requests at drivers), then the bytes buffered in every pipe, in
// order. devman checkpoints it after every message it handles, before any
// answer goes out (handle_request), so an answered request is never undone
// by a crash.
//
// What a successor does with requests that were waiting:
//  - Live update: their callers still wait for devman's endpoint, now the
//    new version's; it answers them from the restored tables. Requests at
//    drivers carry grants of the old image, gone with it: the new image
//    reserves their grant ids (placeholders nobody may use, so a driver's
//    late copy can never reach another caller's buffer), and a request the
//    driver answers with an error goes out once more with a new grant.
//  - Crash (restart policy): the kernel answered every caller devman owed a
//    reply ERESTART, and the library asks again (dev_proto.h). The replica
//    therefore answers none of them: suspended pipe requests are dropped
//    (a write that had moved bytes is kept as an orphan so that the same
//    write, asked again, goes on from there), requests at drivers are kept
//    without caller so that their answers are recognised and dropped (an
//    open the driver accepts is closed again). Offsets move only when an
//    answer is checkpointed, so a read asked again reads the same bytes.
//    A request whose effect was checkpointed but whose answer was not sent
//    when devman died runs twice (at least once).
#include <cstddef>

#include "umk/err.h"
#include "umk/str.h"
#include "umklib/log.h"
#include "umklib/sef.h"
#include "umklib/sef_state.h"
#include "umklib/syslib.h"

#include "tables.h"

namespace umk::devman {
namespace {

constexpr std::uint32_t IMAGE_MAGIC = 0x534d5644;  // "DVMS"
constexpr int GRANT_SLOTS = 64;                    // the library's grant table (lib/grants.cc)

struct PipeMeta {
    std::uint8_t in_use;
    endpoint_t owner;
    std::int32_t readers, writers;  // recomputed from the files at a restore
    std::uint32_t count;            // bytes of it in the image's data
};

struct Header {
    std::uint32_t magic;
    std::uint16_t nr[6];    // lengths of the tables
    std::uint16_t size[6];  // sizes of their records
    std::uint32_t last_id;
    std::uint32_t data_len;
    std::uint32_t subscribed;
    std::uint32_t pad;
};

struct Image {
    Header h;
    Driver drivers[NR_DRIVERS];
    File files[NR_FILES];
    FProc fprocs[NR_FPROCS];
    PipeMeta pipes[NR_PIPES];
    Suspended suspended[NR_SUSPENDED];
    DevRequest requests[NR_DEV_REQUESTS];
    std::uint8_t data[NR_PIPES * DEVMAN_PIPE_BUF];
};

constexpr std::size_t DATA_AT = offsetof(Image, data);

constexpr Header expected_header() {
    Header h{};
    h.magic = IMAGE_MAGIC;
    const std::uint16_t nr[6] = {NR_DRIVERS, NR_FILES,     NR_FPROCS,
                                 NR_PIPES,   NR_SUSPENDED, NR_DEV_REQUESTS};
    const std::uint16_t size[6] = {sizeof(Driver),   sizeof(File),      sizeof(FProc),
                                   sizeof(PipeMeta), sizeof(Suspended), sizeof(DevRequest)};
    for (int i = 0; i < 6; i++) {
        h.nr[i] = nr[i];
        h.size[i] = size[i];
    }
    return h;
}

Image staging;  // the image being written or read
alignas(8) unsigned char area[sef_state_area_size(sizeof(Image))];
bool area_ready = false;

// A bool read from untrusted memory: any byte but 0 and 1 is damage (and
// reading it as bool would be undefined).
bool bad_bool(const bool& b) {
    unsigned char c = 0;
    str::mem_copy(&c, &b, 1);
    return c > 1;
}

bool is_pipe(FileKind k) {
    return k == FileKind::PIPE_READ || k == FileKind::PIPE_WRITE;
}

// Check the image in `staging` and repair what can be recomputed (reference
// counts, pipe ends). nullptr if it is usable, else why not.
const char* validate(std::size_t len) {
    Image& im = staging;
    if (len < DATA_AT) return "too short";
    const Header want = expected_header();
    if (im.h.magic != IMAGE_MAGIC) return "bad magic";
    for (int i = 0; i < 6; i++)
        if (im.h.nr[i] != want.nr[i] || im.h.size[i] != want.size[i]) return "another layout";
    if (im.h.data_len > sizeof im.data || len != DATA_AT + im.h.data_len)
        return "bad length of pipe data";
    for (Driver& d : im.drivers) {
        if (bad_bool(d.in_use)) return "damaged driver entry";
        if (d.in_use &&
            (d.label[0] == '\0' || str::nlen(d.label, sizeof d.label) == sizeof d.label))
            return "driver label not terminated";
    }
    std::uint64_t data = 0;
    for (PipeMeta& p : im.pipes) {
        if (p.in_use > 1 || (p.in_use && p.count > DEVMAN_PIPE_BUF)) return "damaged pipe entry";
        if (p.in_use) data += p.count;
    }
    if (data != im.h.data_len) return "pipe data does not add up";
    for (File& f : im.files) {
        if (static_cast<std::uint8_t>(f.kind) > static_cast<std::uint8_t>(FileKind::PIPE_WRITE))
            return "bad file kind";
        if (f.kind == FileKind::DEVICE && (f.driver < 0 || f.driver >= NR_DRIVERS))
            return "file names no driver";
        if (is_pipe(f.kind) && (f.pipe < 0 || f.pipe >= NR_PIPES || !im.pipes[f.pipe].in_use))
            return "file names no pipe";
        if (f.position < 0) return "negative offset";
        f.refs = 0;  // recounted below
    }
    for (int i = 0; i < NR_FPROCS; i++) {
        FProc& p = im.fprocs[i];
        if (bad_bool(p.in_use) || bad_bool(p.user)) return "damaged descriptor table";
        if (!p.in_use) continue;
        if (p.cloexec >> OPEN_MAX) return "close-on-exec of no descriptor";
        for (int j = 0; j < i; j++)
            if (im.fprocs[j].in_use && im.fprocs[j].endpoint == p.endpoint)
                return "two descriptor tables for one process";
        for (int fd : p.fd) {
            if (fd == -1) continue;
            if (fd < 0 || fd >= NR_FILES || im.files[fd].kind == FileKind::FREE)
                return "descriptor of no open file";
            im.files[fd].refs++;
        }
    }
    for (DevRequest& rq : im.requests) {
        if (bad_bool(rq.in_use) || bad_bool(rq.retried) || bad_bool(rq.regrant))
            return "damaged device request";
        if (!rq.in_use) continue;
        const int t = rq.req.m_type;
        if (t != DEV_OPEN && t != DEV_CLOSE && t != DEV_READ_S && t != DEV_WRITE_S)
            return "device request of no known kind";
        if (rq.driver < 0 || rq.driver >= NR_DRIVERS) return "device request for no driver";
        if (rq.file < -1 || rq.file >= NR_FILES) return "device request for no file";
        if (rq.file >= 0 && im.files[rq.file].kind != FileKind::DEVICE)
            return "device request for a file that is no device";
        if ((t == DEV_READ_S || t == DEV_WRITE_S) && rq.req.COUNT < 0) return "negative count";
        if (rq.grant < 0 || rq.grant >= GRANT_SLOTS) rq.grant = GRANT_INVALID;
    }
    // An open file nobody refers to (no descriptor, no open in progress) is
    // a leak of the predecessor: close it here.
    for (int i = 0; i < NR_FILES; i++) {
        File& f = im.files[i];
        if (f.kind == FileKind::FREE || f.refs > 0) continue;
        bool reserved = false;
        for (const DevRequest& rq : im.requests)
            reserved = reserved || (rq.in_use && rq.req.m_type == DEV_OPEN && rq.file == i);
        if (!reserved) f = File{};
    }
    for (PipeMeta& p : im.pipes) p.readers = p.writers = 0;
    for (const File& f : im.files) {
        if (f.kind == FileKind::PIPE_READ) im.pipes[f.pipe].readers++;
        if (f.kind == FileKind::PIPE_WRITE) im.pipes[f.pipe].writers++;
    }
    for (Suspended& s : im.suspended) {
        if (bad_bool(s.in_use) || bad_bool(s.write) || bad_bool(s.orphan))
            return "damaged suspended request";
        if (!s.in_use) continue;
        if (s.file < 0 || s.file >= NR_FILES) return "suspended request of no file";
        const FileKind k = im.files[s.file].kind;
        if (k != (s.write ? FileKind::PIPE_WRITE : FileKind::PIPE_READ))
            s.in_use = false;  // its file went (repaired above): nobody waits on it
        else if (s.done > s.want || s.want > 0x7fffffff)
            return "suspended request moved more than it asked";
    }
    for (DevRequest& rq : im.requests)
        if (rq.in_use && rq.file >= 0 && im.files[rq.file].kind == FileKind::FREE) rq.file = -1;
    return nullptr;
}

// Keep the grant ids of requests at drivers out of use: a driver may still
// copy with one. The library takes the lowest free entry of an empty table,
// so making placeholders up to the highest id and giving back the others
// leaves exactly those ids taken - by grants to devman itself, which no
// driver may use.
void reserve_grants() {
    bool need[GRANT_SLOTS] = {};
    int top = -1;
    for (const DevRequest& rq : requests) {
        if (!rq.in_use || rq.grant == GRANT_INVALID) continue;
        need[rq.grant] = true;
        if (rq.grant > top) top = rq.grant;
    }
    if (top < 0) return;
    static const std::uint8_t nothing = 0;
    bool made[GRANT_SLOTS] = {};
    for (int i = 0; i < GRANT_SLOTS; i++) {
        const cp_grant_id_t g = cpf_grant_direct(self, vir_addr(&nothing), 0, CPF_READ);
        if (g < 0 || g >= GRANT_SLOTS) {
            if (g >= 0) cpf_revoke(g);
            break;
        }
        made[g] = true;
        if (g >= top) break;
    }
    // Only now: a free entry would be handed out again at once.
    for (int g = 0; g < GRANT_SLOTS; g++)
        if (made[g] && !need[g]) cpf_revoke(g);
    for (DevRequest& rq : requests) {
        if (!rq.in_use || rq.grant == GRANT_INVALID || made[rq.grant]) continue;
        log_printf("devman: cannot reserve grant %d of %s request %u\n", rq.grant,
                   rq.req.m_type == DEV_READ_S ? "read" : "write", rq.id);
        rq.grant = GRANT_INVALID;
    }
}

int count_in_use() {
    int n = 0;
    for (const FProc& p : fprocs) n += p.in_use;
    return n;
}

}  // namespace

std::size_t state_max() {
    return sizeof(Image);
}

std::size_t state_save(void* buf, std::size_t cap) {
    if (cap < DATA_AT) return 0;
    Image& im = *static_cast<Image*>(buf);
    im.h = expected_header();
    im.h.last_id = last_id;
    im.h.subscribed = subscribed;
    str::mem_copy(im.drivers, drivers, sizeof drivers);
    str::mem_copy(im.files, files, sizeof files);
    str::mem_copy(im.fprocs, fprocs, sizeof fprocs);
    str::mem_copy(im.suspended, suspended, sizeof suspended);
    str::mem_copy(im.requests, requests, sizeof requests);
    std::size_t at = 0;
    for (int i = 0; i < NR_PIPES; i++) {
        const Pipe& p = pipes[i];
        PipeMeta& m = im.pipes[i];
        m = PipeMeta{p.in_use, p.owner, p.readers, p.writers, 0};
        if (!p.in_use) continue;
        m.count = static_cast<std::uint32_t>(p.count);
        if (DATA_AT + at + p.count > cap) return 0;
        // The ring in order, starting at its head.
        const std::size_t first =
            p.count < DEVMAN_PIPE_BUF - p.head ? p.count : DEVMAN_PIPE_BUF - p.head;
        str::mem_copy(im.data + at, p.buf + p.head, first);
        str::mem_copy(im.data + at + first, p.buf, p.count - first);
        at += p.count;
    }
    im.h.data_len = static_cast<std::uint32_t>(at);
    return DATA_AT + at;
}

int state_load(const void* buf, std::size_t len, int type) {
    if (len > sizeof staging) {
        log_printf("devman: a state image of %zu bytes is larger than ours\n", len);
        tables_clear();
        return -EINVAL;
    }
    if (buf != &staging) str::mem_copy(&staging, buf, len);
    if (const char* why = validate(len)) {
        log_printf("devman: the previous instance's state is damaged (%s)\n", why);
        tables_clear();
        return -EINVAL;
    }
    tables_clear();
    const Image& im = staging;
    str::mem_copy(drivers, im.drivers, sizeof drivers);
    str::mem_copy(files, im.files, sizeof files);
    str::mem_copy(fprocs, im.fprocs, sizeof fprocs);
    str::mem_copy(suspended, im.suspended, sizeof suspended);
    str::mem_copy(requests, im.requests, sizeof requests);
    std::size_t at = 0;
    for (int i = 0; i < NR_PIPES; i++) {
        const PipeMeta& m = im.pipes[i];
        Pipe& p = pipes[i];
        p.in_use = m.in_use && (m.readers > 0 || m.writers > 0);
        p.owner = m.owner;
        p.readers = m.readers;
        p.writers = m.writers;
        p.head = 0;
        p.count = m.in_use ? m.count : 0;
        if (m.in_use) str::mem_copy(p.buf, im.data + at, m.count);
        at += m.in_use ? m.count : 0;
        if (!p.in_use) p.count = 0;
    }
    last_id = im.h.last_id;
    subscribed = im.h.subscribed != 0;
    for (DevRequest& rq : requests) {
        if (!rq.in_use) continue;
        const bool io = rq.req.m_type == DEV_READ_S || rq.req.m_type == DEV_WRITE_S;
        if (type == SEF_INIT_RESTART) {
            // Its caller got ERESTART and asks again; the answer to this one
            // is dropped when it comes (an accepted open is closed again).
            rq.caller = NONE;
            if (io) rq.file = -1;
            rq.regrant = false;
        } else {
            rq.regrant = io;
        }
        if (!io) rq.grant = GRANT_INVALID;
    }
    if (type == SEF_INIT_RESTART) {
        for (Suspended& s : suspended) {
            if (!s.in_use || s.orphan) continue;
            if (s.write && s.done > 0)
                s.orphan = true;
            else
                s.in_use = false;
        }
        // DS again with the first request: announcements made while we were
        // down come with DSF_INITIAL.
        subscribed = false;
        // Every request that reached a driver is in the checkpoint
        // (send_request checkpoints first); ids stay apart all the same.
        last_id += 0x10000;
    }
    reserve_grants();
    return OK;
}

int state_setup() {
    const int r = sef_state_setup(area, sizeof area, sizeof(Image), STATE_VERSION);
    area_ready = r == OK;
    return r;
}

int state_checkpoint() {
    if (!area_ready) return -ENOSYS;
    const std::size_t n = state_save(&staging, sizeof staging);
    if (n == 0) return -E2BIG;
    return sef_state_checkpoint(&staging, n);
}

int state_restore(int type) {
    const bool lu = type == SEF_INIT_LU;
    std::size_t len = sizeof staging;
    std::uint32_t version = 0;
    int r = sef_state_restore(&staging, &len, &version);
    const char* why = sef_state_error(r);
    if (r == OK && version != STATE_VERSION) {
        log_printf("devman: the previous instance's state has layout %u, this one reads %u\n",
                   version, STATE_VERSION);
        r = -EINVAL;
        why = "another layout";
    }
    if (r == OK) {
        r = state_load(&staging, len, type);
        why = "damaged";
    }
    if (r == OK) {
        int fds = 0, waiting = 0, at_drivers = 0;
        for (const FProc& p : fprocs)
            if (p.in_use) fds += descriptors_of(p.endpoint);
        for (const Suspended& s : suspended) waiting += s.in_use && !s.orphan;
        for (const DevRequest& rq : requests) at_drivers += rq.in_use;
        log_printf(
            "devman: state of the previous instance restored: %d descriptor tables, %d "
            "descriptors, %d open files, %d pipes, %d waiting on pipes, %d at drivers\n",
            count_in_use(), fds, open_files(), open_pipes(), waiting, at_drivers);
        // Kernel calls only (no other service): what died meanwhile goes
        // (after a crash), and the driver deadlines get their alarm again.
        if (type == SEF_INIT_RESTART) reap_dead();
        arm_alarm();
        return OK;
    }
    if (lu) {
        log_printf("devman: cannot take over the old version's state (%s: %s); the update fails\n",
                   errno_name(r), why);
        return r < 0 ? r : -EINVAL;
    }
    log_printf(
        "devman: state of the previous instance lost (%s: %s); starting empty: its descriptors "
        "are gone (EBADF)\n",
        errno_name(r), why);
    tables_clear();
    return OK;
}

int lu_state_isvalid(int state) {
    return sef_cb_lu_state_isvalid_standard(state);
}

// 1 (work free): always - devman is between two messages, and requests at
// drivers cross (see the top). 2 (request free): no request at a driver.
// 3 (protocol free): nor anybody waiting on a pipe.
int lu_prepare(int state) {
    if (state >= SEF_LU_STATE_REQUEST_FREE && driver_requests() > 0) return -ENOTREADY;
    if (state >= SEF_LU_STATE_PROTOCOL_FREE && suspended_requests() > 0) return -ENOTREADY;
    return OK;
}

int lu_state_save(int) {
    const int r = state_checkpoint();
    if (r != OK) log_printf("devman: cannot save the state for the update: %s\n", errno_name(r));
    return r;
}

// The update was aborted or rolled back and we serve on. If the new image
// had our endpoint for a while, a driver that tried to copy then failed:
// answers with an error to requests at drivers get one more try.
void lu_state_changed(int old_state, int state) {
    if (old_state == SEF_LU_STATE_NULL || state != SEF_LU_STATE_NULL) return;
    for (DevRequest& rq : requests)
        if (rq.in_use && (rq.req.m_type == DEV_READ_S || rq.req.m_type == DEV_WRITE_S))
            rq.regrant = true;
}

}  // namespace umk::devman
