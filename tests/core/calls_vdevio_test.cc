// SYS_VDEVIO: byte vectors to and from I/O ports, only inside the caller's
// io ranges (system.conf `io`, given with SYS_PRIVCTL SET_SYS).
#include <vector>

#include "calls_harness.h"

namespace umk {
namespace {

using namespace test;
using fake::PortWrite;

constexpr long AS_VEC = -999;  // DIO_VEC_SIZE = the vector's length

int vdevio(Proc& p, int request, const std::vector<pvb_pair>& vec, long size = AS_VEC,
           vir_bytes at = mem_addr(0x200)) {
    if (!vec.empty()) write_mem(p, at, vec.data(), vec.size() * sizeof(pvb_pair));
    message m{};
    m.DIO_REQUEST = request;
    m.DIO_VEC_ADDR = at;
    m.DIO_VEC_SIZE = size != AS_VEC ? size : static_cast<long>(vec.size());
    return kc(p, SYS_VDEVIO, m);
}

void give_com1(Proc& p) {
    Priv& pr = *priv(p);
    pr.s_flags |= CHECK_IO_PORT;
    pr.s_nr_io_range = 1;
    pr.s_io_tab[0] = io_range{0x3f8, 0x3ff};
}

TEST(CallsVdevio, OutputInsideTheRangeReachesThePorts) {
    boot_managed();
    give_com1(proc(SVC));
    EXPECT_EQ(vdevio(proc(SVC), DIO_OUTPUT_BYTE, {{0x3f8, 'h', 0}, {0x3f8, 'i', 0}, {0x3ff, 7, 0}}),
              OK);
    const std::vector<PortWrite> want{{0x3f8, 'h'}, {0x3f8, 'i'}, {0x3ff, 7}};
    EXPECT_EQ(fake::port_writes(), want);
}

TEST(CallsVdevio, InputWritesTheValuesBack) {
    boot_managed();
    give_com1(proc(SVC));
    fake::set_port_value(0x3fd, 0x60);
    EXPECT_EQ(vdevio(proc(SVC), DIO_INPUT_BYTE, {{0x3fd, 0, 0}, {0x3f9, 0, 0}}), OK);
    pvb_pair got[2];
    read_mem(proc(SVC), mem_addr(0x200), got, sizeof got);
    EXPECT_EQ(got[0].port, 0x3fd);
    EXPECT_EQ(got[0].value, 0x60);
    EXPECT_EQ(got[1].value, 0xff);
    EXPECT_TRUE(fake::port_writes().empty());
}

TEST(CallsVdevio, PortOutsideTheRangesIsEpermAndNothingIsWritten) {
    boot_managed();
    give_com1(proc(SVC));
    EXPECT_EQ(vdevio(proc(SVC), DIO_OUTPUT_BYTE, {{0x3f8, 'a', 0}, {0x400, 'b', 0}}), -EPERM);
    EXPECT_EQ(vdevio(proc(SVC), DIO_OUTPUT_BYTE, {{0x3f7, 'a', 0}}), -EPERM);
    EXPECT_EQ(vdevio(proc(SVC), DIO_INPUT_BYTE, {{0x60, 0, 0}}), -EPERM);
    EXPECT_TRUE(fake::port_writes().empty());
    EXPECT_NE(kernel_log().find("may not use port 0x400"), std::string::npos) << kernel_log();
}

TEST(CallsVdevio, NoIoRangesNoPorts) {
    boot_managed();
    // SVC2 may make every kernel call but was given no io range.
    EXPECT_EQ(vdevio(proc(SVC2), DIO_OUTPUT_BYTE, {{0x3f8, 'a', 0}}), -EPERM);
    // Ranges without CHECK_IO_PORT do not count either.
    priv_of(SVC2).s_nr_io_range = 1;
    priv_of(SVC2).s_io_tab[0] = io_range{0x3f8, 0x3ff};
    EXPECT_EQ(vdevio(proc(SVC2), DIO_OUTPUT_BYTE, {{0x3f8, 'a', 0}}), -EPERM);
    EXPECT_TRUE(fake::port_writes().empty());
    // A user process makes no kernel calls at all.
    EXPECT_EQ(vdevio(proc(USER), DIO_OUTPUT_BYTE, {{0x3f8, 'a', 0}}), -ECALLDENIED);
}

TEST(CallsVdevio, BadRequestSizeOrVector) {
    boot_managed();
    give_com1(proc(SVC));
    const std::vector<pvb_pair> one{{0x3f8, 'a', 0}};
    EXPECT_EQ(vdevio(proc(SVC), 0x013, one), -EINVAL);  // word output: not supported
    EXPECT_EQ(vdevio(proc(SVC), DIO_OUTPUT_BYTE, one, 0), -EINVAL);
    EXPECT_EQ(vdevio(proc(SVC), DIO_OUTPUT_BYTE, one, -1), -EINVAL);
    EXPECT_EQ(vdevio(proc(SVC), DIO_OUTPUT_BYTE, one, VDEVIO_BUF_SIZE + 1), -EINVAL);
    EXPECT_EQ(vdevio(proc(SVC), DIO_OUTPUT_BYTE, {}, 1, 0x10), -EFAULT);
    EXPECT_TRUE(fake::port_writes().empty());
    std::vector<pvb_pair> full(VDEVIO_BUF_SIZE, pvb_pair{0x3f8, 'z', 0});
    EXPECT_EQ(vdevio(proc(SVC), DIO_OUTPUT_BYTE, full), OK);
    EXPECT_EQ(fake::port_writes().size(), static_cast<std::size_t>(VDEVIO_BUF_SIZE));
}

TEST(CallsVdevio, IoRangesComeFromPrivctl) {
    boot_managed();
    Proc& tty = spawn_sys("tty");
    rts_set(tty, RTS_NO_PRIV);
    priv_args a{};
    a.flags = SYS_PROC | DYN_PRIV_ID | CHECK_IO_PORT;
    a.trap_mask = ~0u;
    a.sig_mgr = ep(RS);
    a.k_call_mask = std::uint64_t{1} << (SYS_VDEVIO - KERNEL_CALL);
    a.nr_io_range = 1;
    a.io_tab[0][0] = 0x3f8;
    a.io_tab[0][1] = 0x3ff;
    ASSERT_EQ(kc(proc(RS), SYS_PRIVCTL,
                 privctl_msg(tty.p_endpoint, SYS_PRIV_SET_SYS, put_args(proc(RS), a))),
              OK);
    ASSERT_EQ(kc(proc(RS), SYS_PRIVCTL, privctl_msg(tty.p_endpoint, SYS_PRIV_ALLOW)), OK);
    EXPECT_EQ(vdevio(tty, DIO_OUTPUT_BYTE, {{0x3f8, 'x', 0}}), OK);
    EXPECT_EQ(vdevio(tty, DIO_OUTPUT_BYTE, {{0x2f8, 'x', 0}}), -EPERM);
    EXPECT_EQ(fake::port_writes().size(), 1u);
}

}  // namespace
}  // namespace umk
