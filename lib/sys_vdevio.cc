// SYS_VDEVIO: DIO_REQUEST (m2_i3), DIO_VEC_ADDR (m2_p1), DIO_VEC_SIZE (m2_l2).
// A vector of byte-wide port writes (sys_voutb) or reads (sys_vinb: the
// kernel fills in each pair's value), at most VDEVIO_BUF_SIZE pairs, all
// inside the caller's io ranges (else EPERM, and no port is touched).
#include "lib_internal.h"
#include "umklib/syslib.h"

namespace umk {
namespace {

int vdevio(int request, pvb_pair* pairs, std::size_t n) {
    if (!pairs || n == 0 || n > static_cast<std::size_t>(VDEVIO_BUF_SIZE)) return -EINVAL;
    message m = detail::blank_message();
    m.DIO_REQUEST = request;
    m.DIO_VEC_ADDR = detail::addr_of(pairs);
    m.DIO_VEC_SIZE = static_cast<std::int64_t>(n);
    return kernel_call(SYS_VDEVIO, &m);
}

}  // namespace

int sys_voutb(const pvb_pair* pairs, std::size_t n) {
    return vdevio(DIO_OUTPUT_BYTE, const_cast<pvb_pair*>(pairs), n);
}

int sys_vinb(pvb_pair* pairs, std::size_t n) {
    return vdevio(DIO_INPUT_BYTE, pairs, n);
}

}  // namespace umk
