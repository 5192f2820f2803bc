// A slow character driver for the booted tests of devman's state: /dev/<its
// label> reads as numbered lines "line 0000\n" ... (args: how many, default
// 90), one line per read answered two clock ticks after it came, so that a
// `umk cat` of it runs for a few seconds with a request at the driver most
// of the time. The content depends on the offset only: a read asked again
// (after devman crashed) gives the same line, and the test sees every line
// exactly once or knows which step lost or repeated one.
#include "st_util.h"
#include "umk/str.h"
#include "umklib/dev_proto.h"
#include "umklib/ds.h"

namespace {

using namespace umk;

constexpr int LINE = 10;  // "line NNNN\n"
constexpr int MAX_PENDING = 8;
int lines = 90;
char label[DS_MAX_KEYLEN];

struct Pending {
    bool in_use;
    endpoint_t from;
    message m;
};
Pending pending[MAX_PENDING];
bool alarm_set = false;

int init(int, sef_init_info_t*) {
    if (ds_retrieve_label_name(label, static_cast<std::uint32_t>(self_endpoint())) != OK)
        return -EINVAL;
    char key[DS_MAX_KEYLEN];
    str::copy(key, DEV_DS_PREFIX, sizeof key);
    const std::size_t n = str::len(key);
    str::copy(key + n, label, sizeof key - n);
    const int r = ds_publish_u32(key, static_cast<std::uint32_t>(self_endpoint()), DSF_OVERWRITE);
    log_printf("STREAM: %s announced %s with %d lines (%d)\n", label, key, lines, r);
    return r;
}

// The rest of the line at the offset (0 at the end).
int do_read(const message& m) {
    const std::int64_t pos = m.POSITION;
    if (pos < 0 || m.COUNT < 0) return -EINVAL;
    if (pos >= static_cast<std::int64_t>(lines) * LINE) return 0;
    const int line = static_cast<int>(pos / LINE);
    char text[LINE + 1];
    text[0] = 'l', text[1] = 'i', text[2] = 'n', text[3] = 'e', text[4] = ' ';
    for (int i = 0, v = line; i < 4; i++, v /= 10) text[8 - i] = static_cast<char>('0' + v % 10);
    text[9] = '\n';
    const int from = static_cast<int>(pos % LINE);
    int n = LINE - from;
    if (n > m.COUNT) n = m.COUNT;
    if (n == 0) return 0;
    const int r = sys_safecopyto(m.IO_ENDPT, static_cast<cp_grant_id_t>(m.IO_GRANT), 0,
                                 vir_addr(text + from), static_cast<std::size_t>(n));
    return r == OK ? n : r;
}

void answer(endpoint_t to, message& m, int status) {
    const auto id = m.DEV_REQ_ID;
    const endpoint_t io = m.IO_ENDPT;
    m.m_type = DEV_REPLY;
    m.REP_ENDPT = io;
    m.REP_STATUS = status;
    m.DEV_REQ_ID = id;
    asynsend(to, &m);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) {
        int v = 0;
        for (const char* c = argv[1]; *c >= '0' && *c <= '9'; c++) v = v * 10 + (*c - '0');
        if (v > 0 && v <= 9999) lines = v;
    }
    sef_setcb_init_fresh(init);
    sef_setcb_init_restart(init);
    sef_startup();
    for (;;) {
        message m{};
        if (sef_receive(ANY, &m) != OK) continue;
        if (m.m_source == CLOCK && is_notify(m.m_type)) {
            alarm_set = false;
            for (Pending& p : pending) {
                if (!p.in_use) continue;
                p.in_use = false;
                answer(p.from, p.m, do_read(p.m));
            }
            continue;
        }
        switch (m.m_type) {
            case DEV_OPEN:
            case DEV_CLOSE:
                log_printf("STREAM: %s %s\n", label, m.m_type == DEV_OPEN ? "open" : "close");
                answer(m.m_source, m, OK);
                break;
            case DEV_READ_S: {
                Pending* slot = nullptr;
                for (Pending& p : pending)
                    if (!p.in_use) slot = &p;
                if (!slot) {
                    answer(m.m_source, m, -EAGAIN);
                    break;
                }
                *slot = Pending{true, m.m_source, m};
                if (!alarm_set) alarm_set = sys_setalarm(2, false) == OK;
                break;
            }
            default:
                if (m.m_type >= DEV_RQ_BASE && m.m_type < DEV_RS_BASE)
                    answer(m.m_source, m, -EINVAL);
                break;
        }
    }
}
