// TTY's state across a live update and a restart (umklib/sef_state.h).
//
// TTY buffers nothing between two messages: a write from devman is copied
// and written out before the answer, and log text it has taken but not
// confirmed (SHOWN) stays the kernel's, which lends it to the successor. No
// reader ever waits (a read answers end of file at once). What the kernel
// cannot know, and what crosses here, is TTY's own account: the log bytes
// it showed, the bytes written to /dev/tty, and how many instances there
// have been. The successor logs them in its init line, so that a test (or
// a reader of the log) sees the state cross.
#include "umk/err.h"
#include "umk/str.h"
#include "umklib/log.h"
#include "umklib/sef_state.h"

#include "tty.h"

namespace umk::tty {
namespace {

constexpr std::uint32_t STATE_MAGIC = 0x53595454;  // "TTYS"

State live;
alignas(8) unsigned char area[sef_state_area_size(sizeof(State))];
bool area_ready = false;

}  // namespace

const State& state() {
    return live;
}

void state_reset() {
    live = State{STATE_MAGIC, 0, 0, 0};
}

void state_fresh() {
    state_reset();
    live.instances = 1;
    state_checkpoint();
}

int state_setup() {
    state_reset();
    const int r = sef_state_setup(area, sizeof area, sizeof(State), STATE_VERSION);
    area_ready = r == OK;
    return r;
}

int state_checkpoint() {
    if (!area_ready) return -ENOSYS;
    return sef_state_checkpoint(&live, sizeof live);
}

void state_account(std::size_t log_shown, std::size_t written) {
    live.log_shown += log_shown;
    live.written += written;
    if (log_shown || written) state_checkpoint();
}

int state_load(const void* buf, std::size_t len, std::uint32_t version) {
    State s{};
    if (len != sizeof s || version != STATE_VERSION) return -EINVAL;
    str::mem_copy(&s, buf, sizeof s);
    if (s.magic != STATE_MAGIC) return -EINVAL;
    live = s;
    return OK;
}

int state_restore(int type) {
    State s{};
    std::size_t len = sizeof s;
    std::uint32_t version = 0;
    int r = sef_state_restore(&s, &len, &version);
    if (r == OK) r = state_load(&s, len, version);
    if (r == OK) {
        live.instances++;
        state_checkpoint();
        return OK;
    }
    const char* why = sef_state_error(r);
    if (type == SEF_INIT_LU) {
        log_printf("tty: cannot take over the old version's state (%s: %s); the update fails\n",
                   errno_name(r), why);
        return r < 0 ? r : -EINVAL;
    }
    log_printf("tty: state of the previous instance lost (%s: %s); counting from zero\n",
               errno_name(r), why);
    state_fresh();
    return OK;
}

}  // namespace umk::tty
