// MINIX test/ds/dstest.c on umk: U32, STR (with truncation), MEM lengths and
// LABEL, against the real DS. Prints "DSTEST: <kind> test successful!" per
// part, "DSTEST: FAILED ..." otherwise. MAP is not supported on umk.
#include <cstdint>

#include "st_util.h"
#include "umk/str.h"
#include "umklib/ds.h"

namespace {

using namespace umk;
constexpr const char* W = "DSTEST";

bool test_u32() {
    std::uint32_t v = 0;
    ST_CHECK(W, ds_publish_u32("test_u32", 1234, 0) == OK);
    ST_CHECK(W, ds_retrieve_u32("test_u32", &v) == OK && v == 1234);
    st::wait_ticks(30);  // let the subscriber see this value (MINIX sleeps 2 s)
    ST_CHECK(W, ds_publish_u32("test_u32", 4321, 0) == -EEXIST);
    ST_CHECK(W, ds_publish_u32("test_u32", 4321, DSF_OVERWRITE) == OK);
    ST_CHECK(W, ds_retrieve_u32("test_u32", &v) == OK && v == 4321);
    ST_CHECK(W, ds_delete_u32("test_u32") == OK);
    ST_CHECK(W, ds_retrieve_u32("test_u32", &v) == -ESRCH);
    log_printf("DSTEST: U32 test successful!\n");
    return true;
}

bool test_str() {
    char buf[17];
    const char* longstring = "verylooooooongstring";
    ST_CHECK(W, ds_publish_str("test_str", "little", 0) == OK);
    ST_CHECK(W, ds_retrieve_str("test_str", buf, sizeof buf - 1) == OK);
    ST_CHECK(W, str::eq(buf, "little"));
    ST_CHECK(W, ds_delete_str("test_str") == OK);
    ST_CHECK(W, ds_publish_str("test_str", longstring, 0) == OK);
    ST_CHECK(W, ds_retrieve_str("test_str", buf, sizeof buf - 1) == OK);
    ST_CHECK(W, !str::eq(buf, "little") && str::len(buf) == 16 && str::mem_eq(buf, longstring, 16));
    ST_CHECK(W, ds_delete_str("test_str") == OK);
    log_printf("DSTEST: STRING test successful!\n");
    return true;
}

bool test_mem() {
    const char* s1 = "ok, this is a string";
    const char* s2 = "ok, this is a very looooong string";
    std::size_t len1 = str::len(s1) + 1, len2 = str::len(s2) + 1;
    char buf[100];
    std::size_t get_len = sizeof buf;
    ST_CHECK(W, ds_publish_mem("test_mem", s1, len1, 0) == OK);
    ST_CHECK(W, ds_retrieve_mem("test_mem", buf, &get_len) == OK && str::eq(buf, s1));
    ST_CHECK(W, get_len == len1);
    get_len = 8;
    ST_CHECK(W, ds_retrieve_mem("test_mem", buf, &get_len) == OK && get_len == 8);
    ST_CHECK(W, ds_publish_mem("test_mem", s2, len2, DSF_OVERWRITE) == OK);
    get_len = sizeof buf;
    ST_CHECK(W, ds_retrieve_mem("test_mem", buf, &get_len) == OK && str::eq(buf, s2));
    ST_CHECK(W, get_len == len2);
    ST_CHECK(W, ds_delete_mem("test_mem") == OK);
    log_printf("DSTEST: MEM test successful!\n");
    return true;
}

bool test_label() {
    char name[DS_MAX_KEYLEN];
    std::uint32_t num = 0;
    ST_CHECK(W, ds_publish_label("test_label", 1234, 0) == OK);
    ST_CHECK(W, ds_retrieve_label_num("test_label", &num) == OK && num == 1234);
    ST_CHECK(W, ds_publish_label("hello", 1234, 0) == -EEXIST);
    ST_CHECK(W, ds_retrieve_label_name(name, 1234) == OK && str::eq(name, "test_label"));
    ST_CHECK(W, ds_delete_label("test_label") == OK);
    log_printf("DSTEST: LABEL test successful!\n");
    return true;
}

}  // namespace

int main() {
    sef_startup();
    st::wait_ticks(20);  // let the subscriber subscribe first
    bool ok = test_u32() && test_str() && test_mem() && test_label();
    log_printf("DSTEST: %s\n", ok ? "all tests done" : "stopped");
    for (;;) {
        message m{};
        sef_receive(ANY, &m);
    }
}
