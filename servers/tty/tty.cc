// TTY's work: the kernel log to the console, and /dev/tty.
#include "tty.h"

#include "umk/com.h"
#include "umk/err.h"
#include "umk/sig.h"
#include "umk/str.h"
#include "umklib/dev_proto.h"
#include "umklib/ds.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/syslib.h"

namespace umk::tty {
namespace {

// Bounded wait for the transmitter (a missing UART reads 0xff: THRE set).
constexpr int THRE_TRIES = 100000;

// Taken log text and user writes pass through here, one chunk at a time.
char chunk[1024];

int wait_transmitter() {
    pvb_pair lsr{COM1_LSR, 0, 0};
    for (int i = 0; i < THRE_TRIES; ++i) {
        const int r = sys_vinb(&lsr, 1);
        if (r != OK) return r;
        if (lsr.value & LSR_THRE) return OK;
    }
    return OK;  // a stuck UART: write anyway rather than stop the console
}

// Up to UART_FIFO bytes into the transmitter, once it is empty.
int write_fifo(const pvb_pair* pairs, std::size_t n) {
    const int r = wait_transmitter();
    return r != OK ? r : sys_voutb(pairs, n);
}

// The device is /dev/<label> for devman: announce our endpoint under
// "dev.tty" (MINIX mapdriver).
int announce() {
    char key[DS_MAX_KEYLEN];
    str::copy(key, DEV_DS_PREFIX, sizeof key);
    const std::size_t n = str::len(key);
    str::copy(key + n, "tty", sizeof key - n);
    return ds_publish_u32(key, static_cast<std::uint32_t>(self_endpoint()), DSF_OVERWRITE);
}

int do_write(const message& m) {
    if (m.COUNT < 0) return -EINVAL;
    const std::size_t total = static_cast<std::size_t>(m.COUNT);
    std::size_t done = 0;
    while (done < total) {
        std::size_t n = total - done;
        if (n > sizeof chunk) n = sizeof chunk;
        int r = sys_safecopyfrom(m.IO_ENDPT, static_cast<cp_grant_id_t>(m.IO_GRANT), done,
                                 vir_addr(chunk), n);
        if (r == OK) r = console_write(chunk, n);
        if (r != OK) return done > 0 ? static_cast<int>(done) : r;
        done += n;
    }
    return static_cast<int>(done);
}

}  // namespace

int console_write(const char* text, std::size_t len) {
    pvb_pair fifo[UART_FIFO];
    std::size_t n = 0;
    auto put = [&](char c) -> int {
        fifo[n++] = pvb_pair{COM1, static_cast<std::uint8_t>(c), 0};
        if (n < UART_FIFO) return OK;
        const std::size_t full = n;
        n = 0;
        return write_fifo(fifo, full);
    };
    for (std::size_t i = 0; i < len; ++i) {
        int r = OK;
        if (text[i] == '\n') r = put('\r');
        if (r == OK) r = put(text[i]);
        if (r != OK) return r;
    }
    return n > 0 ? write_fifo(fifo, n) : OK;
}

std::size_t show_kernel_log() {
    std::size_t shown = 0;
    for (;;) {
        std::size_t got = 0;
        if (sys_diagctl_take(chunk, sizeof chunk, &got) != OK || got == 0) {
            state_account(shown, 0);
            return shown;
        }
        // Line by line: write, then tell the kernel it is shown. Killed in
        // between, we lose nothing (the kernel lends it to our successor)
        // and repeat at most the line being written.
        std::size_t start = 0;
        for (std::size_t i = 0; i < got; ++i) {
            if (chunk[i] != '\n' && i + 1 < got) continue;
            const std::size_t n = i + 1 - start;
            // A failed write cannot be reported in the log it failed to
            // show; count the text as shown and go on.
            console_write(chunk + start, n);
            if (sys_diagctl_shown(n) != OK) {
                state_account(shown, 0);
                return shown;  // the kernel wrote it meanwhile
            }
            shown += n;
            start = i + 1;
        }
    }
}

int init(int type, sef_init_info_t*) {
    if (type != SEF_INIT_FRESH && type != SEF_INIT_LU && type != SEF_INIT_RESTART) return -EINVAL;
    // The predecessor's account first: a failed LU restore leaves the old
    // version serving (RS rolls back) before we register anything.
    int r = OK;
    if (type == SEF_INIT_FRESH)
        state_fresh();
    else if ((r = state_restore(type)) != OK)
        return r;
    r = sys_diagctl_register();
    if (r != OK) {
        log_printf("tty: cannot register for kernel messages: %d\n", r);
        return r;
    }
    // A live update's new version keeps the endpoint: devman needs no news.
    if (type != SEF_INIT_LU && (r = announce()) != OK) {
        log_printf("tty: cannot announce /dev/tty in DS: %d\n", r);
        sys_diagctl_unregister();
        return -EINVAL;
    }
    const char* how = type == SEF_INIT_FRESH ? "up" : type == SEF_INIT_LU ? "updated" : "restarted";
    const State& s = state();
    log_printf(
        "tty: %s; the kernel log goes to COM1 (instance %u; %llu bytes of log shown, %llu "
        "written to /dev/tty before)\n",
        how, s.instances, static_cast<unsigned long long>(s.log_shown),
        static_cast<unsigned long long>(s.written));
    show_kernel_log();
    return OK;
}

void signal_handler(int signo) {
    if (signo == SIGKMESS) {
        show_kernel_log();
        return;
    }
    if (signo == SIGTERM) {
        // Going down: whatever is left, then the kernel prints again itself.
        show_kernel_log();
        sys_diagctl_unregister();
        sef_exit(0);
    }
}

bool handle_request(message& m) {
    if (is_notify(m.m_type)) return false;
    int status;
    switch (m.m_type) {
        case DEV_OPEN:
        case DEV_CLOSE:
            status = OK;
            break;
        case DEV_READ_S:
            status = 0;  // no keyboard: end of file
            break;
        case DEV_WRITE_S:
            // Log text taken earlier goes out first: the console stays in order.
            show_kernel_log();
            status = do_write(m);
            if (status > 0) state_account(0, static_cast<std::size_t>(status));
            break;
        default:
            status = -EINVAL;
            break;
    }
    const endpoint_t io = m.IO_ENDPT;
    m.m_type = DEV_REPLY;
    m.REP_ENDPT = io;
    m.REP_STATUS = status;
    return true;
}

}  // namespace umk::tty
