// MINIX test/ds/subs.c on umk: subscribe to "test_u32" with DSF_INITIAL and
// print each change DS reports, or that the key was deleted.
#include <cstdint>

#include "st_util.h"
#include "umklib/ds.h"

int main() {
    using namespace umk;
    sef_startup();
    int r = ds_subscribe("test_u32", DSF_INITIAL);
    if (r != OK && r != -EEXIST) {
        log_printf("SUBSCRIBER: error in ds_subscribe: %d\n", r);
        return 1;
    }
    log_printf("SUBSCRIBER: subscribed\n");
    for (;;) {
        message m{};
        if (sef_receive(ANY, &m) != OK) continue;
        if (m.m_source != DS_PROC_NR) continue;  // only DS's notifications
        char key[DS_MAX_KEYLEN];
        int type = 0;
        r = ds_check(key, &type);
        if (r == -ENOENT) {
            log_printf("SUBSCRIBER: the key was deleted.\n");
            continue;
        }
        if (r != OK) {
            log_printf("SUBSCRIBER: error in ds_check: %d\n", r);
            continue;
        }
        if (type == DSF_TYPE_U32) {
            std::uint32_t v = 0;
            r = ds_retrieve_u32(key, &v);
            log_printf("SUBSCRIBER: key: %s, U32: %u (%d)\n", key, v, r);
        } else {
            log_printf("SUBSCRIBER: key: %s, type 0x%x\n", key, type);
        }
    }
}
