// The hello driver's state machine: SEF init (fresh / live update /
// restart), the LU state transfer through DS, and the device requests.
#include "hello.h"

#include "umk/err.h"
#include "umk/str.h"
#include "umklib/dev_proto.h"
#include "umklib/ds.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/sef_state.h"
#include "umklib/syslib.h"

namespace umk::hello {
namespace {

// Times the device has been opened: the state that crosses a live update
// and a crash. It is kept twice: in SEF's checkpoint area (the next instance
// at our endpoint copies it from our image, with no call to another service:
// a live update may include DS) and in DS (which outlives our process, even
// a host kill -9 of it, and serves a replica at a new endpoint).
int counter = 0;
constexpr std::uint32_t kStateVersion = 1;
alignas(8) unsigned char state_area[sef_state_area_size(sizeof counter)];

void save_counter() {
    sef_state_checkpoint(&counter, sizeof counter);
    int r = ds_publish_u32(OPEN_COUNTER_KEY, static_cast<std::uint32_t>(counter), DSF_OVERWRITE);
    if (r != OK) log_printf("hello: cannot save %s in DS: %s\n", OPEN_COUNTER_KEY, errno_name(r));
}

// The predecessor's counter from its image: OK, or why not.
int restore_from_image() {
    int value = 0;
    std::size_t len = sizeof value;
    std::uint32_t version = 0;
    int r = sef_state_restore(&value, &len, &version);
    if (r == OK && (version != kStateVersion || len != sizeof value || value < 0)) r = -EINVAL;
    if (r == OK) counter = value;
    return r;
}

// After a crash: the image if the replica took over its endpoint, else DS.
void restart_restore() {
    int r = restore_from_image();
    if (r == OK) return;
    std::uint32_t value = 0;
    int d = ds_retrieve_u32(OPEN_COUNTER_KEY, &value);
    if (d == OK) {
        counter = static_cast<int>(value);
        return;
    }
    log_printf("hello: open counter lost (image: %s; DS: %s); counting from 0\n",
               sef_state_error(r), errno_name(d));
}

// Make /dev/hello reach this instance (MINIX mapdriver): announce our
// endpoint under "dev.hello" for devman.
int announce() {
    char key[DS_MAX_KEYLEN];
    str::copy(key, DEV_DS_PREFIX, sizeof key);
    std::size_t n = str::len(key);
    str::copy(key + n, "hello", sizeof key - n);
    return ds_publish_u32(key, static_cast<std::uint32_t>(self_endpoint()), DSF_OVERWRITE);
}

int do_read(const message& m) {
    std::int64_t pos = m.POSITION;
    if (pos < 0) return -EINVAL;
    if (m.COUNT < 0) return -EINVAL;
    if (pos >= HELLO_MESSAGE_LEN) return 0;
    int bytes = HELLO_MESSAGE_LEN - static_cast<int>(pos);
    if (bytes > m.COUNT) bytes = m.COUNT;
    if (bytes == 0) return 0;
    int r = sys_safecopyto(m.IO_ENDPT, static_cast<cp_grant_id_t>(m.IO_GRANT), 0,
                           vir_addr(HELLO_MESSAGE + pos), static_cast<std::size_t>(bytes));
    return r == OK ? bytes : r;
}

}  // namespace

int setup_state() {
    return sef_state_setup(state_area, sizeof state_area, sizeof counter, kStateVersion);
}

int init(int type, sef_init_info_t*) {
    bool do_announce = true;
    counter = 0;
    switch (type) {
        case SEF_INIT_FRESH:
            log_printf("hello: %s\n", HELLO_BANNER);
            break;
        case SEF_INIT_LU:
            // The new version keeps the old endpoint: devman needs no news.
            if (int r = restore_from_image(); r != OK) {
                log_printf("hello: cannot take the old version's open counter (%s: %s)\n",
                           errno_name(r), sef_state_error(r));
                return r;
            }
            do_announce = false;
            log_printf("hello: %s Hey, I'm a new version! (open_counter %d)\n", HELLO_BANNER,
                       counter);
            break;
        case SEF_INIT_RESTART:
            restart_restore();
            log_printf("hello: %s Hey, I've just been restarted! (open_counter %d)\n", HELLO_BANNER,
                       counter);
            break;
        default:
            return -EINVAL;
    }
    if (do_announce) {
        int r = announce();
        if (r != OK) {
            log_printf("hello: cannot announce /dev/hello in DS: %d\n", r);
            return -EINVAL;
        }
    }
    return OK;
}

int lu_state_save(int) {
    return sef_state_checkpoint(&counter, sizeof counter);
}

bool handle_request(message& m) {
    if (is_notify(m.m_type)) return false;
    int status;
    switch (m.m_type) {
        case DEV_OPEN:
            log_printf("hello: hello_open(). Called %d time(s).\n", ++counter);
            save_counter();
            status = OK;
            break;
        case DEV_CLOSE:
            log_printf("hello: hello_close()\n");
            status = OK;
            break;
        case DEV_READ_S:
            status = do_read(m);
            break;
        default:
            status = -EINVAL;  // writes, ioctls ...: not this device
            break;
    }
    endpoint_t io = m.IO_ENDPT;
    m.m_type = DEV_REPLY;
    m.REP_ENDPT = io;
    m.REP_STATUS = status;
    return true;
}

int open_counter() {
    return counter;
}

}  // namespace umk::hello
