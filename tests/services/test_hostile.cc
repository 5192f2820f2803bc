// test_hostile ROUNDS: traps by hand and rewrites its SlotPage while the
// kernel handles the call (a TOCTOU attack): each round publishes a SEND of
// a SINK message to "sink", then flips the target endpoint, the trap kind
// and the message until the kernel answers. Logs "hostile: done R rounds, A accepted, E refused".
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>

#include "svc_util.h"
#include "umk/arch/linux.h"

namespace umk::linux_host {
extern SlotPage* slot_page;  // mapped by the service library's startup
extern const KernelPage* kernel_page;
}  // namespace umk::linux_host

int main(int argc, char** argv) {
    using namespace umk;
    using namespace umk::linux_host;
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 200;
    const endpoint_t sink = test_svc::lookup("sink");
    SlotPage* sp = slot_page;
    const KernelPage* kp = kernel_page;
    int accepted = 0, refused = 0;
    std::uint32_t x = 12345;
    for (int i = 0; i < rounds; ++i) {
        sp->trap = TRAP_IPC;
        sp->call = SENDNB;
        sp->endpoint = sink;
        sp->msg = message{};
        sp->msg.m_type = test_svc::SINK;
        std::uint32_t seq = sp->call_seq.load() + 1;
        sp->call_seq.store(seq);
        sp->doorbell.fetch_add(1);
        if (kp->sleeping.load())
            syscall(SYS_futex, &sp->doorbell, FUTEX_WAKE, 1, nullptr, nullptr, 0);
        int spins = 0;
        while (sp->done_seq.load() != seq) {
            x = x * 1103515245 + 12345;
            sp->endpoint = (x & 1) ? sink : static_cast<endpoint_t>(x);
            sp->trap = (x & 2) ? TRAP_IPC : static_cast<int>(x >> 8);
            sp->msg.m_type = static_cast<int>(x);
            // Never give up on a round: reading a stale result and trapping
            // again would make this service's own bookkeeping wrong, not the
            // kernel's. On a loaded machine let the kernel get a CPU.
            if (++spins > 100000) sched_yield();
        }
        if (sp->result == OK)
            ++accepted;
        else
            ++refused;
    }
    log_printf("hostile: done %d rounds, %d accepted, %d refused\n", rounds, accepted, refused);
    test_svc::idle();
}
