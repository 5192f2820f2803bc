// SYS_SAFECOPYFROM / SYS_SAFECOPYTO: copy between the caller and memory
// another process granted it (MINIX kernel/system/do_safecopy.c).
//   reads:  SCP_FROM_TO (m2_i1) the granter, SCP_GID (m2_i3) the grant id in
//           the granter's table, SCP_OFFSET (m2_l1) offset inside the grant,
//           SCP_ADDRESS (m2_p1) buffer in the caller, SCP_BYTES (m2_l2) length
//   reply:  nothing but the result
// FROM reads the granter's memory (needs CPF_READ), TO writes it (CPF_WRITE).
// Errors: EINVAL bad granter, negative grant id or length; EPERM no grant
// table, id past its end, entry unreadable, not CPF_USED|CPF_VALID, caller
// not the grantee (nor ANY), access bit missing, range outside the grant,
// unknown grant kind, a magic grant not in VFS's table (slot VFS_PROC_NR) or
// naming a process that is not alive; ELOOP indirect chain deeper than
// GRANT_MAX_INDIRECTION; EFAULT from the copy itself.
//
// A magic grant (MINIX: only VFS makes them) describes memory of another
// process, cp_from: VFS lets a driver copy straight to or from a user
// process, which can make no grants of its own. As in MINIX an indirect
// chain may end in one.
//
// Grants are read from the granter's memory at every call (never cached):
// revoking a grant takes effect for the next copy.
#include "calls.h"
#include "umk/com.h"

namespace umk {
namespace {

struct GrantTarget {
    Proc* owner;     // whose memory the grant finally describes
    vir_bytes addr;  // first byte of the copy in that memory
};

bool grantee_ok(endpoint_t granted_to, endpoint_t grantee) {
    return granted_to == grantee || granted_to == ANY || grantee == ANY;
}

// MINIX verify_grant: follow indirect grants back to a direct one and check
// every step. OK and *out filled, or a negated error.
int verify_grant(endpoint_t granter_e, endpoint_t grantee_e, cp_grant_id_t gid, vir_bytes bytes,
                 std::uint32_t access, vir_bytes offset, GrantTarget* out) {
    cp_grant_t g{};
    Proc* granter = nullptr;
    for (int depth = 0;; ++depth) {
        granter = endpoint_lookup(granter_e);
        if (!granter) {
            kprintf("safecopy: invalid granter %d\n", granter_e);
            return -EINVAL;
        }
        if (gid < 0) return -EINVAL;
        const Priv* pr = priv(*granter);
        if ((granter->p_rts_flags & RTS_NO_PRIV) || !pr || pr->s_grant_table == 0) return -EPERM;
        if (gid >= pr->s_grant_entries) {
            kprintf("safecopy: grant %d of %s is past its table (%d entries)\n", gid,
                    granter->p_name, pr->s_grant_entries);
            return -EPERM;
        }
        // An unreadable table looks like an invalid grant: the granter's bug
        // must not show up as EFAULT in the grantee.
        if (arch::copy_from_proc(*granter, pr->s_grant_table + gid * sizeof(cp_grant_t), &g,
                                 sizeof(g)) != OK)
            return -EPERM;
        if ((g.cp_flags & (CPF_USED | CPF_VALID)) != (CPF_USED | CPF_VALID)) return -EPERM;
        if (!(g.cp_flags & CPF_INDIRECT)) break;

        if (depth == GRANT_MAX_INDIRECTION) {
            kprintf("safecopy: indirect grant chain from %s deeper than %d\n", granter->p_name,
                    GRANT_MAX_INDIRECTION);
            return -ELOOP;
        }
        if (!grantee_ok(g.cp_to, grantee_e)) return -EPERM;
        // The granter passes on a grant it received: check that one next,
        // with the granter as its grantee.
        grantee_e = granter_e;
        granter_e = g.cp_from;
        gid = g.cp_grant;
    }

    if ((g.cp_flags & access) != access) return -EPERM;
    Proc* owner = granter;
    if (g.cp_flags & CPF_MAGIC) {
        // VFS's slot (MINIX compares the endpoint; a live update keeps both).
        // Like every client that calls devman at DEVMAN_PROC_NR, this assumes
        // devman is not restarted into another slot.
        if (granter->p_nr != endpoint_slot(VFS_PROC_NR)) {
            kprintf("safecopy: magic grant %d of %s refused: only slot %d may make them\n", gid,
                    granter->p_name, endpoint_slot(VFS_PROC_NR));
            return -EPERM;
        }
        owner = endpoint_lookup(g.cp_from);
        // The described process is gone, or a kernel task (no memory to copy).
        if (!owner || proc_is_free(*owner) || is_kernel_slot(owner->p_nr)) return -EPERM;
    } else if (!(g.cp_flags & CPF_DIRECT)) {
        return -EPERM;
    }
    if (g.cp_start + g.cp_len < g.cp_start) return -EPERM;  // wraps around
    if (!grantee_ok(g.cp_to, grantee_e)) return -EPERM;
    if (offset + bytes < offset || offset + bytes > g.cp_len) return -EPERM;

    out->owner = owner;
    out->addr = g.cp_start + offset;
    return OK;
}

// Copy through a kernel bounce buffer: the arch copies only between the
// kernel and one process.
int copy_between(const Proc& src, vir_bytes src_addr, Proc& dst, vir_bytes dst_addr,
                 vir_bytes bytes) {
    static unsigned char bounce[4096];
    while (bytes > 0) {
        const std::size_t chunk = bytes < sizeof(bounce) ? bytes : sizeof(bounce);
        int r = arch::copy_from_proc(src, src_addr, bounce, chunk);
        if (r == OK) r = arch::copy_to_proc(dst, dst_addr, bounce, chunk);
        if (r != OK) return r;
        src_addr += chunk;
        dst_addr += chunk;
        bytes -= chunk;
    }
    return OK;
}

}  // namespace

int do_safecopy(Proc& caller, message& m) {
    const bool from = m.m_type == SYS_SAFECOPYFROM;
    const endpoint_t granter = m.SCP_FROM_TO;
    const cp_grant_id_t gid = m.SCP_GID;
    const vir_bytes offset = static_cast<vir_bytes>(m.SCP_OFFSET);
    const vir_bytes addr = m.SCP_ADDRESS;
    const std::int64_t bytes = m.SCP_BYTES;
    if (bytes < 0 || m.SCP_OFFSET < 0) return -EINVAL;

    const std::uint32_t access = from ? CPF_READ : CPF_WRITE;
    GrantTarget t{};
    const int r = verify_grant(resolve_self(caller, granter), caller.p_endpoint, gid,
                               static_cast<vir_bytes>(bytes), access, offset, &t);
    if (r != OK) return r;

    if (from) return copy_between(*t.owner, t.addr, caller, addr, static_cast<vir_bytes>(bytes));
    return copy_between(caller, addr, *t.owner, t.addr, static_cast<vir_bytes>(bytes));
}

}  // namespace umk
