// SYS_VDEVIO: a vector of byte-wide port reads or writes (MINIX
// kernel/system/do_vdevio.c), for drivers such as TTY writing the serial
// console.
//   reads:  DIO_REQUEST (m2_i3) DIO_OUTPUT_BYTE or DIO_INPUT_BYTE,
//           DIO_VEC_ADDR (m2_p1) a pvb_pair[] in the caller,
//           DIO_VEC_SIZE (m2_l2) its length, 1..VDEVIO_BUF_SIZE
//   reply:  the result; for input the values are written back into the
//           caller's vector
// Errors: EINVAL another request or a bad size (MINIX: E2BIG for too many),
// EFAULT the vector cannot be read (or, for input, written back), EPERM a
// port outside the caller's io ranges (system.conf `io`, SYS_PRIVCTL
// s_io_tab). Unlike MINIX, a caller without CHECK_IO_PORT has no ranges and
// so no ports at all: port access is only ever what system.conf granted.
// Every pair is checked before any port is touched.
#include "../priv.h"
#include "calls.h"
#include "umk/com.h"

namespace umk {
namespace {

bool port_allowed(const Priv& pr, std::uint32_t port) {
    if (!(pr.s_flags & CHECK_IO_PORT)) return false;
    for (int i = 0; i < pr.s_nr_io_range && i < NR_IO_RANGE; ++i)
        if (port >= pr.s_io_tab[i].ior_base && port <= pr.s_io_tab[i].ior_limit) return true;
    return false;
}

}  // namespace

int do_vdevio(Proc& caller, message& m) {
    // Static: kernel stacks are small, and the kernel runs one call at a time.
    static pvb_pair vec[VDEVIO_BUF_SIZE];

    // ---- decode and check ----
    const int request = m.DIO_REQUEST;
    if (request != DIO_OUTPUT_BYTE && request != DIO_INPUT_BYTE) return -EINVAL;
    const auto size = m.DIO_VEC_SIZE;
    if (size <= 0 || size > VDEVIO_BUF_SIZE) return -EINVAL;
    const std::size_t n = static_cast<std::size_t>(size);
    const int r = arch::copy_from_proc(caller, m.DIO_VEC_ADDR, vec, n * sizeof(pvb_pair));
    if (r != OK) return r;
    const Priv* pr = priv(caller);
    if (!pr) return -EPERM;
    for (std::size_t i = 0; i < n; ++i) {
        if (!port_allowed(*pr, vec[i].port)) {
            kprintf("vdevio: %s (endpoint %d) may not use port 0x%x\n", caller.p_name,
                    caller.p_endpoint, static_cast<unsigned>(vec[i].port));
            return -EPERM;
        }
    }

    // ---- perform ----
    if (request == DIO_OUTPUT_BYTE) {
        for (std::size_t i = 0; i < n; ++i) arch::port_out(vec[i].port, vec[i].value);
        return OK;
    }
    for (std::size_t i = 0; i < n; ++i) vec[i].value = arch::port_in(vec[i].port);
    return arch::copy_to_proc(caller, m.DIO_VEC_ADDR, vec, n * sizeof(pvb_pair));
}

}  // namespace umk
