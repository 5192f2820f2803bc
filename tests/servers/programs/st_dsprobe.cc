// Reads what st_dskeep published and logs it ("DSPROBE: keep.u32 4242
// keep.str 'kept across' hello 10"), then publishes keep.ping.<its label> (its
// endpoint), which st_dskeep's subscription reports. Started (under a new
// label each time) after DS's update or restart, it shows the store that
// came across.
#include <cstdint>

#include "st_util.h"
#include "umk/format.h"
#include "umklib/ds.h"

int main() {
    using namespace umk;
    sef_startup();
    std::uint32_t v = 0, hello = 0;
    char str[32] = "";
    int r1 = ds_retrieve_u32("keep.u32", &v);
    int r2 = ds_retrieve_str("keep.str", str, sizeof str - 1);
    int r3 = ds_retrieve_label_num("hello", &hello);
    log_printf("DSPROBE: keep.u32 %u (%d) keep.str '%s' (%d) hello %u (%d)\n", v, r1, str, r2,
               hello, r3);
    char label[DS_MAX_KEYLEN] = "?";
    ds_retrieve_label_name(label, static_cast<std::uint32_t>(self_endpoint()));
    char key[DS_MAX_KEYLEN];
    format(key, sizeof key, "keep.ping.%s", label);
    int r = ds_publish_u32(key, static_cast<std::uint32_t>(self_endpoint()), 0);
    log_printf("DSPROBE: published keep.ping: %d\n", r);
    for (;;) {
        message m{};
        sef_receive(ANY, &m);
    }
}
