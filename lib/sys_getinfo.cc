// SYS_GETINFO: I_REQUEST (m1_i1), I_ENDPT (m1_i2), I_VAL_PTR (m1_p1), I_VAL_LEN (m1_i3).
// GET_WHOAMI replies m3_i1 endpoint, m3_i2 privilege flags, m3_ca1 name.
#include "lib_internal.h"
#include "umklib/syslib.h"

namespace umk {

int sys_getinfo(int request, void* buf, std::size_t len, endpoint_t ep) {
    if (len > 0x7fffffff) return -EINVAL;
    message m = detail::blank_message();
    m.I_REQUEST = request;
    m.I_ENDPT = ep;
    m.I_VAL_PTR = detail::addr_of(buf);
    m.I_VAL_LEN = static_cast<std::int32_t>(len);
    return kernel_call(SYS_GETINFO, &m);
}

int sys_whoami(endpoint_t* ep, char* name, std::size_t len, std::uint32_t* priv_flags) {
    if (name && len < 2) return -EINVAL;  // room for one character and the NUL
    message m = detail::blank_message();
    m.I_REQUEST = GET_WHOAMI;
    m.I_ENDPT = SELF;
    const int r = kernel_call(SYS_GETINFO, &m);
    if (r != OK) return r;
    if (ep) *ep = m.m3_i1;
    if (priv_flags) *priv_flags = static_cast<std::uint32_t>(m.m3_i2);
    if (name) {
        // The kernel's name may fill m3_ca1 without a NUL: bound both ways.
        std::size_t i = 0;
        for (; i + 1 < len && i < sizeof m.m3_ca1 && m.m3_ca1[i] != '\0'; ++i)
            name[i] = m.m3_ca1[i];
        name[i] = '\0';
    }
    return OK;
}

}  // namespace umk
