// devman, the device layer (the part of MINIX VFS that talks to character
// drivers): user processes open devices by name ("/dev/hello"), read and
// close them; devman forwards each request to the driver (DEV_OPEN,
// DEV_READ_S, DEV_CLOSE) with a grant for the data. Drivers are found
// through DS (see umklib/dev_proto.h): an announcement "dev.<label>" whose
// value must equal the endpoint RS published for <label>. devman subscribes
// to the announcements, so a restarted driver (new endpoint) gets the next
// requests.
#pragma once

#include "umk/types.h"

namespace umk::devman {

inline constexpr int NR_DRIVERS = 16;
inline constexpr int NR_FILES = 64;
inline constexpr int IO_CHUNK = 4096;  // at most this many bytes per read

struct Driver {
    bool in_use;
    char label[16];
    endpoint_t endpoint;
};

struct File {
    bool in_use;
    endpoint_t owner;
    int driver;  // index in the driver table
    std::int64_t position;
};

void devman_init(endpoint_t self);
// Subscribe to the driver announcements (retried until DS accepts).
void subscribe();
// DS notified us: take in every changed announcement.
void ds_changed();

int do_open(message& m);
int do_read(message& m);
int do_close(message& m);
int handle_request(message& m);
// A process is gone (PM's DEVMAN_PROC_EXIT): close its files.
void proc_exit(endpoint_t ep);
// Open files, for tests.
int open_files();

const Driver* driver(const char* label);

}  // namespace umk::devman
