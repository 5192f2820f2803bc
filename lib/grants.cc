// The caller's memory-grant table (MINIX lib/libsys/safecopies.c), static
// instead of malloc-grown: NR_GRANTS entries, registered with SYS_SETGRANT
// (SG_ADDR m2_p1, SG_SIZE m2_i2) the first time a grant is made.
//
// The kernel reads the table at any time (on Linux from another process),
// so an entry's fields are written first and its flags last (release), and
// a revoked entry loses CPF_VALID before it may be reused.
#include "lib_internal.h"
#include "umklib/syslib.h"

namespace umk {
namespace {

constexpr int NR_GRANTS = 64;

cp_grant_t grant_table[NR_GRANTS];
bool registered = false;

void publish_flags(cp_grant_t& g, std::uint32_t flags) {
    __atomic_store_n(&g.cp_flags, flags, __ATOMIC_RELEASE);
}

bool ensure_registered() {
    if (registered) return true;
    message m = detail::blank_message();
    m.SG_ADDR = detail::addr_of(grant_table);
    m.SG_SIZE = NR_GRANTS;
    if (kernel_call(SYS_SETGRANT, &m) != OK) return false;  // try again next time
    registered = true;
    return true;
}

// A free entry, or -1. Entry 0 is used like any other.
int free_entry() {
    for (int i = 0; i < NR_GRANTS; ++i) {
        if (!(__atomic_load_n(&grant_table[i].cp_flags, __ATOMIC_ACQUIRE) & CPF_USED)) return i;
    }
    return -1;
}

// A grant of memory [addr, addr + bytes): direct (from = NONE: our own) or
// magic (from = the process whose memory it is; only devman may).
cp_grant_id_t grant_memory(endpoint_t to, endpoint_t from, vir_bytes addr, std::size_t bytes,
                           std::uint32_t kind, std::uint32_t access) {
    if (access & ~(CPF_READ | CPF_WRITE)) return GRANT_INVALID;
    if (addr + bytes < addr) return GRANT_INVALID;  // wraps around the address space
    if (!ensure_registered()) return GRANT_INVALID;
    const int i = free_entry();
    if (i < 0) return GRANT_INVALID;
    cp_grant_t& g = grant_table[i];
    g.cp_to = to;
    g.cp_from = from;
    g.cp_grant = GRANT_INVALID;
    g.cp_start = addr;
    g.cp_len = bytes;
    publish_flags(g, CPF_USED | CPF_VALID | kind | access);
    return i;
}

}  // namespace

cp_grant_id_t cpf_grant_direct(endpoint_t to, vir_bytes addr, std::size_t bytes,
                               std::uint32_t access) {
    return grant_memory(to, NONE, addr, bytes, CPF_DIRECT, access);
}

cp_grant_id_t cpf_grant_indirect(endpoint_t to, endpoint_t from, cp_grant_id_t gid) {
    if (gid < 0) return GRANT_INVALID;
    if (!ensure_registered()) return GRANT_INVALID;
    const int i = free_entry();
    if (i < 0) return GRANT_INVALID;
    cp_grant_t& g = grant_table[i];
    g.cp_to = to;
    g.cp_from = from;
    g.cp_grant = gid;
    g.cp_start = 0;
    g.cp_len = 0;
    publish_flags(g, CPF_USED | CPF_VALID | CPF_INDIRECT);
    return i;
}

cp_grant_id_t cpf_grant_magic(endpoint_t to, endpoint_t who_from, vir_bytes addr, std::size_t bytes,
                              std::uint32_t access) {
    return grant_memory(to, who_from, addr, bytes, CPF_MAGIC, access);
}

int cpf_revoke(cp_grant_id_t gid) {
    if (gid < 0 || gid >= NR_GRANTS) return -EINVAL;
    cp_grant_t& g = grant_table[gid];
    if (!(__atomic_load_n(&g.cp_flags, __ATOMIC_ACQUIRE) & CPF_USED)) return -EINVAL;
    publish_flags(g, 0);
    return OK;
}

namespace detail {
void grants_reset() {
    for (cp_grant_t& g : grant_table) g = cp_grant_t{};
    registered = false;
}
}  // namespace detail

}  // namespace umk
