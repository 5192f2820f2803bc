// i386_hostile TARGET: a service that hands the kernel addresses it must not
// use: kernel memory, unmapped memory, its own read-only pages, the
// read-only info page, ranges running off the end of user space. Every
// trap must fail with EFAULT (or the IPC error for a bad call) and change
// nothing; then it writes to its own code, which must fault (SIGSEGV for
// its manager). Logs "hostile: N checks passed, M failed".
#include <cstdint>

#include "svc_util.h"
#include "umk/arch/i386.h"
#include "umklib/trap.h"

namespace {

using namespace umk;

int passed, failed;

void check(bool ok, const char* what, int r) {
    if (ok) {
        ++passed;
    } else {
        ++failed;
        log_printf("hostile: FAILED: %s (%d)\n", what, r);
    }
}

message* at(std::uint32_t addr) {
    return reinterpret_cast<message*>(addr);
}

int diag(vir_bytes buf, int len) {
    message m{};
    m.DIAG_CODE = DIAGCTL_CODE_DIAG;
    m.DIAG_BUF = buf;
    m.DIAG_LEN = len;
    return kernel_call(SYS_DIAGCTL, &m);
}

}  // namespace

int main(int argc, char** argv) {
    const char* target = argc > 1 ? argv[1] : "pong";
    const endpoint_t dst = test_svc::lookup(target);
    check(dst != NONE, "the target runs", dst);
    const auto code = static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(&check));

    // IPC with message buffers it does not own (or may not write).
    int r = ipc_sendrec(dst, at(0x100000));
    check(r == -EFAULT, "SENDREC with a message in kernel memory", r);
    r = ipc_send(dst, at(0x80000000u));
    check(r == -EFAULT, "SEND with a message in unmapped memory", r);
    r = ipc_receive(ANY, at(code & ~0xfffu));
    check(r == -EFAULT, "RECEIVE into its own read-only code", r);
    r = ipc_sendrec(dst, at(i386::INFO_PAGE));
    check(r == -EFAULT, "SENDREC into the read-only info page", r);
    r = ipc_sendrec(dst, at(i386::USER_END - 32));
    check(r == -EFAULT, "SENDREC with a message running off the end of user space", r);
    r = arch_trap_ipc(SENDA, 1, nullptr, 0x100000);
    check(r == -EFAULT, "SENDA with a table in kernel memory", r);
    r = arch_trap_ipc(99, dst, nullptr, 0);
    check(r == -ETRAPDENIED || r == -EBADCALL, "an unknown IPC call", r);

    // Kernel calls with a request it does not own, or pointing elsewhere.
    r = arch_trap_kernel_call(at(0x100000));
    check(r == -EFAULT, "a kernel call with the request in kernel memory", r);
    r = arch_trap_kernel_call(at(i386::INFO_PAGE));
    check(r == -EFAULT, "a kernel call with the request in the read-only info page", r);
    r = diag(0x100000, 16);
    check(r == -EFAULT, "DIAGCTL reading kernel memory", r);
    r = diag(0x80000000u, 16);
    check(r == -EFAULT, "DIAGCTL reading unmapped memory", r);
    r = diag(i386::USER_END - 8, 16);
    check(r == -EFAULT, "DIAGCTL reading past the end of user space", r);

    // The legitimate forms still work.
    message m{};
    m.m_type = test_svc::PING;
    m.m1_i1 = 42;
    r = ipc_sendrec(dst, &m);
    check(r == OK && m.m1_i1 == 42, "a proper SENDREC still works", r);
    static const char line[] = "hostile: a log line from read-only data\n";
    r = diag(reinterpret_cast<std::uintptr_t>(line), sizeof line - 1);
    check(r == OK, "DIAGCTL from its own read-only data", r);

    log_printf("hostile: %d checks passed, %d failed\n", passed, failed);
    log_printf("hostile: writing to its own code now\n");
    *reinterpret_cast<volatile std::uint32_t*>(code) = 0;
    log_printf("hostile: FAILED: the write to its code did not fault\n");
    test_svc::idle();
}
