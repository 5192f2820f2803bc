// i386_dstest: the data store from a service RS started (so DS knows its
// label): u32, string and memory entries, overwrite rules, delete,
// subscriptions with notification, and the labels RS published. Logs each
// failed check and "dstest: N checks passed, M failed" at the end.
#include <cstring>

#include "umk/com.h"
#include "umk/err.h"
#include "umklib/ds.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/sef.h"

namespace {

int passed, failed;

void check(bool ok, const char* what, int r) {
    if (ok) {
        ++passed;
    } else {
        ++failed;
        umk::log_printf("dstest: FAILED: %s (%d)\n", what, r);
    }
}

}  // namespace

int main() {
    using namespace umk;
    sef_startup();
    log_printf("dstest: up, endpoint %d\n", self_endpoint());

    std::uint32_t v = 0;
    int r = ds_publish_u32("test_u32", 1234, 0);
    check(r == OK, "publish u32", r);
    r = ds_retrieve_u32("test_u32", &v);
    check(r == OK && v == 1234, "retrieve u32", r);
    r = ds_publish_u32("test_u32", 99, 0);
    check(r == -EEXIST, "publish again without DSF_OVERWRITE is EEXIST", r);
    r = ds_publish_u32("test_u32", 5678, DSF_OVERWRITE);
    check(r == OK, "overwrite u32", r);
    r = ds_retrieve_u32("test_u32", &v);
    check(r == OK && v == 5678, "retrieve the overwritten u32", r);

    char buf[64] = {};
    r = ds_publish_str("test_str", "hello from ring 3", 0);
    check(r == OK, "publish str", r);
    r = ds_retrieve_str("test_str", buf, sizeof buf - 1);
    check(r == OK && std::strcmp(buf, "hello from ring 3") == 0, "retrieve str", r);

    const char mem[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    char back[8] = {};
    std::size_t len = sizeof back;
    r = ds_publish_mem("test_mem", mem, sizeof mem, 0);
    check(r == OK, "publish mem", r);
    r = ds_retrieve_mem("test_mem", back, &len);
    check(r == OK && len == sizeof mem && std::memcmp(back, mem, sizeof mem) == 0, "retrieve mem",
          r);

    r = ds_delete_u32("test_u32");
    check(r == OK, "delete u32", r);
    r = ds_retrieve_u32("test_u32", &v);
    check(r == -ESRCH, "a deleted key is gone (ESRCH, as MINIX DS)", r);

    std::uint32_t ds_ep = 0;
    r = ds_retrieve_label_num("ds", &ds_ep);
    check(r == OK && ds_ep == static_cast<std::uint32_t>(DS_PROC_NR), "RS published ds's label", r);
    std::uint32_t own = 0;
    r = ds_retrieve_label_num("i386_dstest", &own);
    check(r == OK && own == static_cast<std::uint32_t>(self_endpoint()),
          "RS published our own label", r);

    // Subscribe, publish a matching key, expect DS's notification.
    r = ds_subscribe("sub_.*", 0);
    check(r == OK, "subscribe", r);
    r = ds_publish_u32("sub_a", 7, 0);
    check(r == OK, "publish a subscribed key", r);
    bool notified = false;
    for (int i = 0; i < 100 && !notified; ++i) {
        message m{};
        if (sef_receive(ANY, &m) != OK) break;
        notified = m.m_source == DS_PROC_NR && is_notify(m.m_type);
    }
    check(notified, "DS notifies the subscriber", 0);
    char key[DS_MAX_KEYLEN] = {};
    int type = 0;
    r = ds_check(key, &type);
    check(r == OK && std::strcmp(key, "sub_a") == 0 && (type & DSF_TYPE_U32),
          "ds_check reports the changed key", r);

    log_printf("dstest: %d checks passed, %d failed\n", passed, failed);
    for (;;) {
        message m{};
        sef_receive(ANY, &m);
    }
}
