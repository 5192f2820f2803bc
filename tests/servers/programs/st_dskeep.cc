// The owner of DS state that must survive DS's live update and crash: at
// its (fresh) start it publishes keep.u32 and keep.str and subscribes to
// keep.ping.*; each change DS reports is logged ("DSKEEP: ping N"), so a test
// sees that the subscription crossed DS's update or restart too.
#include <cstdint>

#include "st_util.h"
#include "umklib/ds.h"

int main() {
    using namespace umk;
    sef_startup();
    int r = ds_publish_u32("keep.u32", 4242, DSF_OVERWRITE);
    if (r == OK) r = ds_publish_str("keep.str", "kept across", DSF_OVERWRITE);
    if (r == OK) r = ds_subscribe("keep\\.ping\\..*", DSF_OVERWRITE);
    log_printf("DSKEEP: published and subscribed: %d\n", r);
    for (;;) {
        message m{};
        if (sef_receive(ANY, &m) != OK) continue;
        if (m.m_source != DS_PROC_NR) continue;  // only DS's notifications
        char key[DS_MAX_KEYLEN];
        int type = 0;
        while ((r = ds_check(key, &type)) == OK) {
            std::uint32_t v = 0;
            r = ds_retrieve_u32(key, &v);
            log_printf("DSKEEP: ping %s %u (%d)\n", key, v, r);
        }
        if (r != -ENOENT) log_printf("DSKEEP: error in ds_check: %d\n", r);
    }
}
