// SYS_SAFECOPYFROM / SYS_SAFECOPYTO: SCP_FROM_TO (m2_i1) the granter,
// SCP_GID (m2_i3), SCP_OFFSET (m2_l1) into the grant, SCP_ADDRESS (m2_p1) our
// buffer, SCP_BYTES (m2_l2).
#include "lib_internal.h"
#include "umklib/syslib.h"

namespace umk {
namespace {

int safecopy(int call, endpoint_t granter, cp_grant_id_t gid, vir_bytes offset, vir_bytes addr,
             std::size_t bytes) {
    message m = detail::blank_message();
    m.SCP_FROM_TO = granter;
    m.SCP_GID = gid;
    m.SCP_OFFSET = static_cast<std::int64_t>(offset);
    m.SCP_ADDRESS = addr;
    m.SCP_BYTES = static_cast<std::int64_t>(bytes);
    return kernel_call(call, &m);
}

}  // namespace

int sys_safecopyfrom(endpoint_t granter, cp_grant_id_t gid, vir_bytes offset, vir_bytes addr,
                     std::size_t bytes) {
    return safecopy(SYS_SAFECOPYFROM, granter, gid, offset, addr, bytes);
}

int sys_safecopyto(endpoint_t granter, cp_grant_id_t gid, vir_bytes offset, vir_bytes addr,
                   std::size_t bytes) {
    return safecopy(SYS_SAFECOPYTO, granter, gid, offset, addr, bytes);
}

}  // namespace umk
