// umk/arch.h for the Linux host: what the core asks of the machine.
#include "umk/arch.h"

#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "host_state.h"
#include "umk/err.h"
#include "umk/kernel.h"

namespace umk::arch {

using namespace umk::linux_host;

void proc_ready(Proc& p) {
    ArchProc& a = p.p_arch;
    if (a.in_trap) complete_trap(p);
    if (a.kind == ArchKind::HOST) {
        a.want_frozen = false;
        if (a.stopped) resume(p);
    }
    update_scan_bit(p);
}

void proc_unready(Proc& p) {
    ArchProc& a = p.p_arch;
    update_scan_bit(p);
    // A process inside a trap is not running: nothing to stop. One that is
    // running its own code is frozen until proc_ready.
    if (a.kind != ArchKind::HOST || a.in_trap || !a.alive || a.stopped) return;
    freeze(p);
}

namespace {

// Copy between the kernel and a host process (or a client thread of the
// kernel process itself). Short or failed copies are EFAULT.
int vm_copy(const Proc& p, bool to_proc, vir_bytes addr, void* local, std::size_t len) {
    const ArchProc& a = p.p_arch;
    if (len == 0) return OK;
    switch (a.kind) {
        case ArchKind::IN_KERNEL: {
            auto base = vir_addr(a.mem);
            if (addr < base || len > a.mem_len || addr - base > a.mem_len - len) return -EFAULT;
            if (to_proc)
                std::memcpy(a.mem + (addr - base), local, len);
            else
                std::memcpy(local, a.mem + (addr - base), len);
            return OK;
        }
        case ArchKind::HOST:
        case ArchKind::CLIENT: {
            pid_t pid = a.kind == ArchKind::HOST ? a.host_pid : getpid();
            if (a.kind == ArchKind::HOST && !a.alive) return -EFAULT;
            iovec lv{local, len};
            iovec rv{reinterpret_cast<void*>(addr), len};
            ssize_t n = to_proc ? process_vm_writev(pid, &lv, 1, &rv, 1, 0)
                                : process_vm_readv(pid, &lv, 1, &rv, 1, 0);
            return n == static_cast<ssize_t>(len) ? OK : -EFAULT;
        }
        case ArchKind::NONE:
            break;
    }
    return -EFAULT;
}

}  // namespace

int copy_from_proc(const Proc& p, vir_bytes src, void* dst, std::size_t len) {
    return vm_copy(p, false, src, dst, len);
}

int copy_to_proc(Proc& p, vir_bytes dst, const void* src, std::size_t len) {
    return vm_copy(p, true, dst, const_cast<void*>(src), len);
}

int proc_spawn(Proc& p, const char* program, const char* args, std::size_t args_len) {
    if (program == nullptr || program[0] == '\0') return -ENOENT;
    // Host-internal kinds ('@client', '@kernel:TYPE') exist only in boot configs.
    if (program[0] == '@') {
        if (!host().booting) return -ENOENT;
        if (std::strcmp(program, "@client") == 0) return spawn_client_slot(p);
        if (std::strncmp(program, "@kernel:", 8) == 0)
            return spawn_kernel_slot(p, program + 8, p.p_name);
        return -ENOENT;
    }
    return spawn_host_process(p, program, args, args_len);
}

void proc_destroy(Proc& p) {
    ArchProc& a = p.p_arch;
    switch (a.kind) {
        case ArchKind::HOST:
            kill_and_reap(p);
            break;
        case ArchKind::IN_KERNEL:
            destroy_kernel_slot(p);
            break;
        case ArchKind::CLIENT:
        case ArchKind::NONE:
            break;
    }
    if (a.page != nullptr) munmap(a.page, 4096);
    if (a.kind != ArchKind::NONE && a.memfd >= 0) close(a.memfd);
    a = ArchProc{};
    a.memfd = -1;
    host().scan.reset(table_index(p));
}

void proc_swapped(Proc& a, Proc& b) {
    // ArchProc moved with the image; the pages must now name the endpoint
    // each process took over, and the scan set follows the slots.
    for (Proc* p : {&a, &b}) {
        if (p->p_arch.page != nullptr) p->p_arch.page->self = p->p_endpoint;
        if (p->p_arch.kind == ArchKind::IN_KERNEL && p->p_arch.handler != nullptr)
            KernelSlotAccess::set_identity(*p->p_arch.handler, p->p_endpoint, p->p_nr);
        update_scan_bit(*p);
    }
}

void log_write(const char* text, std::size_t len) {
    HostState& h = host();
    const HostOptions* o = h.options;
    for (std::size_t i = 0; i < len; ++i) {
        if (text[i] != '\n') {
            h.log_line.push_back(text[i]);
            continue;
        }
        if (o == nullptr || o->echo_log) {
            std::fwrite(h.log_line.data(), 1, h.log_line.size(), stdout);
            std::fputc('\n', stdout);
            std::fflush(stdout);
        }
        if (o != nullptr && o->log_sink) o->log_sink(h.log_line);
        h.log_line.clear();
    }
}

void panic(const char* why) {
    kmess_flush_direct();  // what the log reader (TTY) had not shown yet
    std::fprintf(stdout, "umk: kernel panic: %s\n", why);
    std::fflush(stdout);
    // Children die with us: PR_SET_PDEATHSIG and PTRACE_O_EXITKILL.
    std::abort();
}

}  // namespace umk::arch
