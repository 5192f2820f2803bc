// The DS client (MINIX lib/libsys/ds.c): every call grants DS access to the
// key (and the value) for the duration of one SENDREC, then revokes it.
#include "umklib/ds.h"
#include "umk/err.h"
#include "umk/str.h"
#include "umklib/ipc.h"
#include "umklib/syslib.h"

namespace umk {
namespace {

// One request to DS. `key` is read by DS, or written (CHECK, RETRIEVE_LABEL:
// then it is a DS_MAX_KEYLEN buffer). The reply's fields are left in *m.
int invoke(int type, const char* key, message* m) {
    bool key_out = type == DS_CHECK || type == DS_RETRIEVE_LABEL;
    std::size_t key_len = key_out ? DS_MAX_KEYLEN : str::len(key) + 1;
    if (!key_out && (key_len < 2 || key_len > static_cast<std::size_t>(DS_MAX_KEYLEN)))
        return -EINVAL;
    cp_grant_id_t g =
        cpf_grant_direct(DS_PROC_NR, vir_addr(key), key_len, key_out ? CPF_WRITE : CPF_READ);
    if (g < 0) return g == GRANT_INVALID ? -ENOSPC : g;
    m->m_type = type;
    m->DS_KEY_GRANT = g;
    m->DS_KEY_LEN = static_cast<std::int16_t>(key_len);
    int r = ipc_sendrec(DS_PROC_NR, m);
    cpf_revoke(g);
    return r != OK ? r : m->m_type;
}

int publish_raw(const char* key, const void* addr, std::size_t length, int flags) {
    message m{};
    cp_grant_id_t g = GRANT_INVALID;
    if (length > 0) {
        g = cpf_grant_direct(DS_PROC_NR, vir_addr(addr), length, CPF_READ);
        if (g < 0) return g == GRANT_INVALID ? -ENOSPC : g;
    }
    m.DS_VAL = g;
    m.DS_VAL_LEN = static_cast<std::int64_t>(length);
    m.DS_FLAGS = flags;
    int r = invoke(DS_PUBLISH, key, &m);
    if (g >= 0) cpf_revoke(g);
    return r;
}

int retrieve_raw(const char* key, void* addr, std::size_t* length, int flags) {
    message m{};
    cp_grant_id_t g = GRANT_INVALID;
    if (*length > 0) {
        g = cpf_grant_direct(DS_PROC_NR, vir_addr(addr), *length, CPF_WRITE);
        if (g < 0) return g == GRANT_INVALID ? -ENOSPC : g;
    }
    m.DS_VAL = g;
    m.DS_VAL_LEN = static_cast<std::int64_t>(*length);
    m.DS_FLAGS = flags;
    int r = invoke(DS_RETRIEVE, key, &m);
    if (g >= 0) cpf_revoke(g);
    if (r == OK) *length = static_cast<std::size_t>(m.DS_VAL_LEN);
    return r;
}

int publish_value(const char* key, std::uint32_t value, int flags) {
    message m{};
    m.DS_VAL = value;
    m.DS_FLAGS = flags;
    return invoke(DS_PUBLISH, key, &m);
}

int retrieve_value(const char* key, std::uint32_t* value, int type) {
    message m{};
    m.DS_FLAGS = type;
    int r = invoke(DS_RETRIEVE, key, &m);
    if (r == OK) *value = static_cast<std::uint32_t>(m.DS_VAL);
    return r;
}

int delete_entry(const char* key, int type) {
    message m{};
    m.DS_FLAGS = type;
    return invoke(DS_DELETE, key, &m);
}

}  // namespace

int ds_publish_u32(const char* key, std::uint32_t value, int flags) {
    return publish_value(key, value, DSF_TYPE_U32 | (flags & ~DSF_MASK_TYPE));
}
int ds_retrieve_u32(const char* key, std::uint32_t* value) {
    return retrieve_value(key, value, DSF_TYPE_U32);
}
int ds_delete_u32(const char* key) {
    return delete_entry(key, DSF_TYPE_U32);
}
int ds_take_u32(const char* key, std::uint32_t* value) {
    return retrieve_value(key, value, DSF_TYPE_U32 | DSF_TAKE);
}

int ds_publish_str(const char* key, const char* value, int flags) {
    return publish_raw(key, value, str::len(value) + 1, DSF_TYPE_STR | (flags & ~DSF_MASK_TYPE));
}
int ds_retrieve_str(const char* key, char* buf, std::size_t len) {
    std::size_t length = len + 1;
    int r = retrieve_raw(key, buf, &length, DSF_TYPE_STR);
    // DS copies min(stored, asked) bytes; a truncated string has no NUL.
    buf[r == OK && length <= len ? length : len] = '\0';
    if (r != OK) buf[0] = '\0';
    return r;
}
int ds_delete_str(const char* key) {
    return delete_entry(key, DSF_TYPE_STR);
}

int ds_publish_mem(const char* key, const void* addr, std::size_t length, int flags) {
    return publish_raw(key, addr, length, DSF_TYPE_MEM | (flags & ~DSF_MASK_TYPE));
}
int ds_retrieve_mem(const char* key, void* addr, std::size_t* length) {
    return retrieve_raw(key, addr, length, DSF_TYPE_MEM);
}
int ds_delete_mem(const char* key) {
    return delete_entry(key, DSF_TYPE_MEM);
}

int ds_publish_label(const char* key, std::uint32_t value, int flags) {
    return publish_value(key, value, DSF_TYPE_LABEL | (flags & ~DSF_MASK_TYPE));
}
int ds_retrieve_label_num(const char* key, std::uint32_t* value) {
    return retrieve_value(key, value, DSF_TYPE_LABEL);
}
int ds_retrieve_label_name(char* name, std::uint32_t value) {
    message m{};
    m.DS_VAL = value;
    return invoke(DS_RETRIEVE_LABEL, name, &m);
}
int ds_delete_label(const char* key) {
    return delete_entry(key, DSF_TYPE_LABEL);
}

int ds_subscribe(const char* regex, int flags) {
    message m{};
    m.DS_FLAGS = flags;
    return invoke(DS_SUBSCRIBE, regex, &m);
}

int ds_check(char* key, int* type) {
    message m{};
    int r = invoke(DS_CHECK, key, &m);
    if (r == OK) *type = m.DS_FLAGS;
    return r;
}

}  // namespace umk
