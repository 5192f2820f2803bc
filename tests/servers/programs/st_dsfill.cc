// A hostile service: publishes DS entries until DS refuses, says how many
// and with what, then stays (its entries with it) serving nothing.
#include "st_util.h"
#include "umk/format.h"
#include "umk/names.h"
#include "umklib/ds.h"

int main() {
    using namespace umk;
    sef_startup();
    char label[DS_MAX_KEYLEN];
    if (ds_retrieve_label_name(label, static_cast<std::uint32_t>(self_endpoint())) != OK)
        label[0] = '\0';
    static char big[DS_MAX_MEMLEN];
    int n = 0, r = OK;
    for (;; n++) {
        char key[32];
        format(key, sizeof key, "fill.%s.%d", label, n);
        r = n < 2 ? ds_publish_mem(key, big, sizeof big, 0) : ds_publish_u32(key, 1, 0);
        if (r != OK) break;
    }
    log_printf("DSFILL: %s published %d entries, then %s\n", label, n, errno_name(r));
    for (;;) {
        message m{};
        sef_receive(ANY, &m);
    }
}
