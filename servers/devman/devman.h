// devman, the device layer (the part of MINIX VFS that talks to character
// drivers, plus pipes): processes open devices by name ("/dev/hello"),
// read, write and close them; devman forwards each request to the driver
// (DEV_OPEN, DEV_READ_S, DEV_WRITE_S, DEV_CLOSE) with a magic grant for the
// caller's buffer, without waiting for it (DevRequest: the caller is
// suspended until the driver answers or DRIVER_DEADLINE_SECONDS pass).
// Drivers are found through DS (see umklib/dev_proto.h): an announcement
// "dev.<label>" whose value must equal the endpoint RS published for
// <label>. devman subscribes to the announcements, so a restarted driver
// (new endpoint) gets the next requests.
//
// Files as in VFS: every process has its own descriptor table (FProc) whose
// entries point to reference-counted open files (Filp: the driver or pipe
// end and the offset, shared by dup and fork). A pipe is a bounded buffer
// inside devman; a request that cannot go on (a read of an empty pipe, a
// write to a full one) is suspended: no reply until it can finish.
#pragma once

#include <cstdint>

#include "umk/types.h"
#include "umklib/dev_proto.h"

namespace umk::devman {

inline constexpr int NR_DRIVERS = 16;
inline constexpr int NR_FILES = 128;           // open files (Filp) in the whole system: ENFILE
inline constexpr int OPEN_MAX = 16;            // descriptors per process: EMFILE
inline constexpr int NR_FPROCS = 128;          // processes with a descriptor table (NR_PROCS)
inline constexpr int NR_PIPES = 32;            // pipes in the whole system: ENFILE
inline constexpr int PIPES_PER_OWNER = 8;      // pipes one process may hold open: ENFILE for it
inline constexpr int NR_SUSPENDED = 32;        // requests waiting on a pipe
inline constexpr int NR_DEV_REQUESTS = 32;     // device requests outstanding at drivers
inline constexpr int REQUESTS_PER_DRIVER = 8;  // of them at one driver: EAGAIN for its callers
// How long a driver may take to answer one request (DEV_OPEN, DEV_READ_S,
// DEV_WRITE_S, DEV_CLOSE). Past it the caller gets EIO, a late answer is
// dropped, and devman asks RS to restart the driver (RS_RESTART).
inline constexpr int DRIVER_DEADLINE_SECONDS = 3;

struct Driver {
    bool in_use;
    char label[16];
    endpoint_t endpoint;
    endpoint_t reported;  // the endpoint devman last asked RS to restart
};

enum class FileKind : std::uint8_t { FREE, DEVICE, PIPE_READ, PIPE_WRITE };

// An open file: what a descriptor (or several, after dup/fork) refers to.
struct File {
    FileKind kind;
    int refs;    // descriptors pointing here
    int driver;  // DEVICE: index in the driver table
    int pipe;    // PIPE_*: index in the pipe table
    std::int64_t position;
};

// One process's descriptor table.
struct FProc {
    bool in_use;
    endpoint_t endpoint;
    int fd[OPEN_MAX];       // index in the file table, or -1
    std::uint32_t cloexec;  // bit n: descriptor n is not inherited
    bool user;              // spawned through PM (DEVMAN_FORK): gets SIGPIPE
};

struct Pipe {
    bool in_use;
    endpoint_t owner;      // who made it: counts against its PIPES_PER_OWNER
    int readers, writers;  // open files of each end
    std::size_t head, count;
    std::uint8_t buf[DEVMAN_PIPE_BUF];
};

// A pipe request that could not finish yet.
struct Suspended {
    bool in_use;
    endpoint_t who;
    int file;
    bool write;
    vir_bytes addr;
    std::size_t want, done;
    // A write that had moved `done` bytes when devman crashed: its caller got
    // ERESTART and writes the same again; the replica goes on from `done`
    // (state.cc). Never answered, never progressed.
    bool orphan;
};

// A device request a driver has not answered yet (MINIX VFS: the caller is
// suspended, the request went out by asynsend). Matched to the driver's
// DEV_REPLY by the driver's endpoint and the request id it echoes.
struct DevRequest {
    bool in_use;
    std::uint32_t id;      // DEV_REQ_ID: never reused while a reply may come
    int driver;            // index in the driver table
    endpoint_t driver_ep;  // the endpoint asked (a late reply of another is no match)
    endpoint_t caller;     // suspended caller, or NONE (a close; the caller is gone)
    int file;              // the open file (OPEN: reserved until the answer), or -1
    cp_grant_id_t grant;   // READ/WRITE: the caller's buffer for driver_ep
    vir_bytes addr;        // READ/WRITE: the caller's buffer
    clock_t_ deadline;     // uptime tick after which the caller gets EIO
    bool retried;          // sent again to a restarted driver once already
    // The grant may be gone (it lived in another devman image: a live update
    // or a rollback happened while the driver had the request). An error
    // answer then means "could not copy", and the request goes out once more
    // with a new grant.
    bool regrant;
    message req;
};

void devman_init(endpoint_t self);
// Subscribe to the driver announcements (retried until DS accepts).
void subscribe();
// DS notified us: take in every changed announcement.
void ds_changed();

// Each returns the reply's m_type, or -EDONTREPLY (suspended: devman
// replies itself later).
int do_open(message& m);
int do_read(message& m);
int do_write(message& m);
int do_close(message& m);
int do_pipe(message& m);
int do_dup2(message& m);
int do_fork(message& m);
// Handles one message, checkpoints the state (state.cc) and only then
// sends the answers of other callers it finished (the caller's own answer
// is the return value: main sends it). No answer leaves devman before the
// state it reports is in the checkpoint.
int handle_request(message& m);
// A process is gone (PM's DEVMAN_PROC_EXIT): forget its suspended
// requests, close its descriptors.
void proc_exit(endpoint_t ep);
// A driver answered (DEV_REPLY): finish the request it answers, if any.
void driver_reply(const message& m);
// The alarm went off: fail the requests past their deadline.
void expire_requests();

// For tests: open files, pipes, suspended requests, descriptors of ep.
int open_files();
int open_pipes();
int suspended_requests();
int driver_requests();  // outstanding at drivers
int pipes_of(endpoint_t owner);
int descriptors_of(endpoint_t ep);

const Driver* driver(const char* label);

// ---- state transfer (state.cc) ----
// The layout version of devman's checkpoint (sef_state).
inline constexpr std::uint32_t STATE_VERSION = 1;
// SEF glue, called by main.cc: sef_state_setup (before sef_startup).
int state_setup();
// Write the checkpoint now (after each request; the live-update save).
int state_checkpoint();
// In init_lu / init_restart: the predecessor's checkpoint. LU: an error
// fails the init (RS rolls back). RESTART: never fails; a lost or damaged
// checkpoint is logged and devman starts empty.
int state_restore(int type);
// The image of the tables, as checkpointed: bytes written to buf (at most
// cap), 0 if it does not fit.
std::size_t state_save(void* buf, std::size_t cap);
// Take an image in (validated like hostile input: OK, or -EINVAL with the
// reason logged and the tables left empty). type SEF_INIT_LU: the callers of
// suspended requests still wait for our answer; SEF_INIT_RESTART: the
// kernel answered them ERESTART (they ask again).
int state_load(const void* buf, std::size_t len, int type);
// Bytes state_save needs at most.
std::size_t state_max();
// Live update: SEF prepare (2: no request at a driver, 3: nor any caller
// waiting on a pipe), the save (a checkpoint) and what happens when an
// update is aborted or rolled back.
int lu_prepare(int state);
int lu_state_isvalid(int state);
int lu_state_save(int state);
void lu_state_changed(int old_state, int state);

}  // namespace umk::devman
