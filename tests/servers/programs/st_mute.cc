// A hostile driver: announces /dev/<its label> in DS like any driver, then
// takes devman's requests and answers none ("mute"), or dies on the first
// one (args "die"). SEF still answers RS's heartbeats: only devman can tell
// that it does not serve.
#include "st_util.h"
#include "umk/names.h"
#include "umk/str.h"
#include "umklib/dev_proto.h"
#include "umklib/ds.h"

namespace {

char label[umk::DS_MAX_KEYLEN];
bool die = false;

int init(int, umk::sef_init_info_t*) {
    using namespace umk;
    // Our label (RS published it before our init), not the program's name.
    if (ds_retrieve_label_name(label, static_cast<std::uint32_t>(self_endpoint())) != OK)
        return -EINVAL;
    char key[DS_MAX_KEYLEN];
    str::copy(key, DEV_DS_PREFIX, sizeof key);
    std::size_t n = str::len(key);
    str::copy(key + n, label, sizeof key - n);
    int r = ds_publish_u32(key, static_cast<std::uint32_t>(self_endpoint()), DSF_OVERWRITE);
    log_printf("MUTE: %s announced %s (%d)%s\n", label, key, r, die ? ", dies on a request" : "");
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace umk;
    die = argc > 1 && str::eq(argv[1], "die");
    sef_setcb_init_fresh(init);
    sef_setcb_init_restart(init);
    sef_startup();
    for (;;) {
        message m{};
        if (sef_receive(ANY, &m) != OK) continue;
        if (m.m_type < DEV_RQ_BASE || m.m_type >= DEV_RS_BASE) continue;
        log_printf("MUTE: %s got request %d from %d: %s\n", label, m.m_type, m.m_source,
                   die ? "dying" : "not answering");
        if (die) sef_exit(1);
    }
}
