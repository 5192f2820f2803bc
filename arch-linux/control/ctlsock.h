// The control proxy's slot: an IN_KERNEL slot (umk_linux/kernel_slot.h) that
// serves the control socket, one request at a time (the listener queues
// the others). This class owns the
// client connection and the slot (its memory, grant table and one trap at a
// time); each kind of request is a job in its own file (rs_proxy, cat_stream,
// process_list) that reaches the system only through what the slot offers
// here, as a service would: its memory, grants, SENDREC and kernel calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "cat_stream.h"
#include "ctl_proto.h"
#include "process_list.h"
#include "rs_proxy.h"
#include "umk/com.h"
#include "umk/config.h"
#include "umk/types.h"
#include "umk_linux/kernel_slot.h"
#include "umklib/rs_proto.h"

namespace umk::control {

// The slot's memory: grant table, a request block (RS's rs_start or PM's
// argument block), the data area (replies to the client), and room for a
// copy of the process table (ps).
inline constexpr std::size_t NR_GRANTS = 4;
inline constexpr std::size_t OFF_GRANTS = 0;
inline constexpr std::size_t OFF_START = 256;
inline constexpr std::size_t OFF_DATA =
    OFF_START + ((sizeof(rs::rs_start) + 63) & ~std::size_t{63});
inline constexpr std::size_t OFF_PROCTAB = OFF_DATA + CTL_MAX_DATA;
inline constexpr std::size_t PROCTAB_LEN = (NR_TASKS + NR_PROCS) * sizeof(proc_info);
inline constexpr std::size_t MEM_SIZE = OFF_PROCTAB + PROCTAB_LEN;
inline constexpr cp_grant_id_t GRANT_RS_START = 0, GRANT_RS_LIST = 1, GRANT_PM_ARGS = 2;

class CtlSock final : public linux_host::KernelSlot {
  public:
    // Whose answer the trap in flight is.
    enum class Step { IDLE, SETGRANT, RS, CAT, PS };

    explicit CtlSock(std::string name) : name_(std::move(name)) {}
    ~CtlSock() override;

    // Ready for a new connection (the listener asks).
    bool idle() const { return ready_ && client_fd_ < 0 && step_ == Step::IDLE; }
    // Serve a request the listener read from connection fd; the client is
    // told EREQTIMEOUT if it is not answered by deadline_ns (CLOCK_MONOTONIC).
    void take_request(int fd, const CtlRequest& rq, std::int64_t deadline_ns);
    // The deadline check (the listener's timer): a client waiting past its
    // deadline is answered EREQTIMEOUT and let go; the proxy stays retired
    // until its IPC completes (an IPC cannot be cancelled).
    void expire(std::int64_t now_ns);

    std::byte* memory() override { return mem_.get(); }
    std::size_t memory_size() override { return MEM_SIZE; }
    void on_start(endpoint_t) override;
    void on_trap_done(int result, const message* reply) override;

    // ---- for the jobs ----
    const CtlRequest& request() const { return rq_; }
    std::byte* area(std::size_t off) { return mem_.get() + off; }
    vir_bytes addr(std::size_t off) { return vir_addr(mem_.get() + off); }
    void set_grant(cp_grant_id_t id, endpoint_t to, std::size_t off, std::size_t len,
                   std::uint32_t access);
    // Start a SENDREC or a kernel call whose answer goes to the job `step`;
    // OK, or the error that kept it from starting.
    int sendrec(Step step, endpoint_t to, message* m);
    int call_kernel(Step step, const message& m);
    // The endpoint the answer reports (CtlReply.endpoint).
    void set_reply_endpoint(endpoint_t ep) { reply_ep_ = ep; }
    // One frame to the client (dropped if it has gone away).
    void send_frame(const CtlReply& r, const void* data, std::size_t len);
    // The last frame: the request is done, the next client may come.
    void answer(int status, const char* text = "", const void* data = nullptr, std::size_t len = 0,
                std::uint32_t count = 0, std::int32_t wait_status = 0);

  private:
    cp_grant_t* grants() { return reinterpret_cast<cp_grant_t*>(mem_.get() + OFF_GRANTS); }
    void revoke_grants();
    void become_ready();
    void drop_client();
    void next_client();
    void watch_hangup(short ev);
    void start_request();

    std::string name_;
    std::unique_ptr<std::byte[]> mem_{new std::byte[MEM_SIZE]()};
    bool ready_ = false;
    int client_fd_ = -1;
    bool busy_ = false;
    bool client_gone_ = false;
    Step step_ = Step::IDLE;
    CtlRequest rq_{};
    endpoint_t reply_ep_ = NONE;
    std::int64_t deadline_ns_ = 0;
    endpoint_t waiting_for_ = NONE;  // whom the IPC in flight waits on (for the timeout text)
    RsProxy rs_{*this};
    CatStream cat_{*this};
    ProcessList ps_{*this};
};

}  // namespace umk::control
