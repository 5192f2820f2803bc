// The host as a whole: boot, run, stop; client threads; watched fds.
#include "umk_linux/host.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>

#include "host_state.h"
#include "umk/arch.h"
#include "umk/err.h"
#include "umk/kernel.h"
#include "umk_linux/doorbell.h"

namespace umk::linux_host {

std::atomic<std::uint32_t> g_sigchld_count{0};
std::atomic<std::uint32_t> g_sigio_count{0};
std::atomic<bool> g_stop_requested{false};

namespace {
std::atomic<KernelPage*> g_kpage{nullptr};
}  // namespace

// Async-signal-safe: it only stores and rings the doorbell.
void request_stop() {
    g_stop_requested.store(true);
    if (KernelPage* kp = g_kpage.load()) wake_kernel(kp);
}

namespace {
std::map<std::string, std::unique_ptr<Client>> g_clients;  // kernel thread writes at boot
HostState* g_state = nullptr;

void futex_wake(std::atomic<std::uint32_t>* word) {
    syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

void on_sigchld(int) {
    g_sigchld_count.fetch_add(1);
    if (KernelPage* kp = g_kpage.load()) wake_kernel(kp);
}
void on_sigio(int) {
    g_sigio_count.fetch_add(1);
    if (KernelPage* kp = g_kpage.load()) wake_kernel(kp);
}
void on_term(int) {
    request_stop();
}

void install_handler(int sig, void (*fn)(int)) {
    struct sigaction sa {};
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(sig, &sa, nullptr);
}

std::string exe_dir() {
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return ".";
    buf[n] = '\0';
    std::string s(buf);
    auto slash = s.rfind('/');
    return slash == std::string::npos ? "." : s.substr(0, slash);
}

std::string default_programs_dir() {
    std::string d = exe_dir();
    for (std::string c : {d + "/libexec/umk", d + "/../libexec/umk"})
        if (access(c.c_str(), X_OK) == 0) return c;
    return d;
}

// Tear down every machine context (end of run()).
void shutdown_all() {
    for (Proc& p : proc_table)
        if (p.p_arch.kind != ArchKind::NONE) arch::proc_destroy(p);
    reap_dying(true);  // no child outlives its Host
    HostState& h = host();
    h.kernel_slots.clear();
    h.completions.clear();
    h.faults.clear();
    h.watched.clear();
}

}  // namespace

HostState& host() {
    if (g_state == nullptr) g_state = new HostState;
    return *g_state;
}

const std::string& programs_dir() {
    return host().programs_dir;
}

void wake_kernel(KernelPage* kp) {
    kp->wake.fetch_add(1, std::memory_order_seq_cst);
    if (kp->sleeping.load(std::memory_order_seq_cst) != 0) futex_wake(&kp->wake);
}

void hlog(const char* fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = std::vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    std::size_t len = static_cast<std::size_t>(n) < sizeof buf - 1 ? n : sizeof buf - 2;
    buf[len++] = '\n';
    arch::log_write(buf, len);
}

void kernel_log(const char* fmt, ...) {
    char buf[512];  // kprintf's own limit: one line
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    kprintf("%s", buf);
}

HostProcess host_process(endpoint_t ep) {
    const Proc* p = endpoint_lookup(ep);
    if (!p) return {};
    const ArchProc& a = p->p_arch;
    return {static_cast<std::int32_t>(a.kind), a.kind == ArchKind::HOST ? a.host_pid : 0};
}

void watch_fd(int fd, short events, FdCallback on_ready) {
    unwatch_fd(fd);
    fcntl(fd, F_SETOWN, getpid());
    fcntl(fd, F_SETSIG, SIGIO);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC | O_NONBLOCK);
    host().watched.push_back({fd, events, std::move(on_ready)});
}

void unwatch_fd(int fd) {
    std::erase_if(host().watched, [fd](const WatchedFd& w) { return w.fd == fd; });
}

// ---- Client ----

endpoint_t Client::endpoint() const {
    return page_->self;
}

int Client::trap(int kind, int call, endpoint_t ep, message* m) {
    SlotPage* pg = page_;
    std::uint32_t seq = pg->call_seq.load(std::memory_order_relaxed) + 1;
    pg->trap = kind;
    pg->call = call;
    pg->endpoint = ep;
    if (m != nullptr) std::memcpy(&pg->msg, m, sizeof *m);
    publish_call(pg, kpage_, seq);
    for (int i = 0; i < spin_ && pg->done_seq.load(std::memory_order_acquire) != seq; ++i)
        __builtin_ia32_pause();
    while (pg->done_seq.load(std::memory_order_acquire) != seq) {
        pg->sleeping.store(1, std::memory_order_seq_cst);
        std::uint32_t cur = pg->done_seq.load(std::memory_order_seq_cst);
        if (cur != seq) syscall(SYS_futex, &pg->done_seq, FUTEX_WAIT, cur, nullptr, nullptr, 0);
        pg->sleeping.store(0, std::memory_order_relaxed);
    }
    if (m != nullptr) std::memcpy(m, &pg->msg, sizeof *m);
    return pg->result;
}

int Client::send(endpoint_t dst, message* m) {
    return trap(TRAP_IPC, SEND, dst, m);
}
int Client::receive(endpoint_t src, message* m) {
    return trap(TRAP_IPC, RECEIVE, src, m);
}
int Client::sendrec(endpoint_t dst, message* m) {
    return trap(TRAP_IPC, SENDREC, dst, m);
}
int Client::sendnb(endpoint_t dst, message* m) {
    return trap(TRAP_IPC, SENDNB, dst, m);
}
int Client::notify(endpoint_t dst) {
    return trap(TRAP_IPC, NOTIFY, dst, nullptr);
}
int Client::kernel_call(int call, message* m) {
    m->m_type = call;
    int r = trap(TRAP_KERNEL_CALL, 0, 0, m);
    return r != OK ? r : m->m_type;
}

// ---- Host ----

Host::Host(BootConfig config, HostOptions options)
    : config_(std::move(config)), options_(std::move(options)) {}

Host::~Host() {
    stop();
}

int Host::run() {
    HostState& h = host();
    h.options = &options_;
    // The options (and the log sink) die with this Host: never leave the
    // kernel log pointing at them.
    struct ForgetOptions {
        HostState& h;
        ~ForgetOptions() { h.options = nullptr; }
    } forget{h};
    h.programs_dir = options_.programs_dir.empty() ? default_programs_dir() : options_.programs_dir;
    g_stop_requested.store(false);
    auto finish = [&](int state) {
        std::lock_guard lock(mu_);
        boot_state_ = state;
        cv_.notify_all();
    };

    std::string error;
    if (!check_boot_config(config_, &error)) {
        hlog("umk: %s", error.c_str());
        finish(-1);
        return 1;
    }
    if (h.kpage == nullptr && !create_kernel_page()) {
        hlog("umk: cannot create the kernel page: %s", std::strerror(errno));
        finish(-1);
        return 1;
    }
    g_kpage.store(h.kpage);
    install_handler(SIGCHLD, on_sigchld);
    install_handler(SIGIO, on_sigio);
    if (options_.handle_term_signals) {
        install_handler(SIGINT, on_term);
        install_handler(SIGTERM, on_term);
        // A closed stdout (`umk boot | head`) or a control-socket client that
        // went away must not kill the kernel, and with it every service.
        signal(SIGPIPE, SIG_IGN);
    }

    std::vector<BootProc> procs = boot_procs(config_);
    int r = kernel_init(procs.data(), static_cast<int>(procs.size()));
    if (r != OK) {
        hlog("umk: kernel_init failed: %d", r);
        finish(-1);
        return 1;
    }
    h.booting = true;
    bool ok = true;
    for (const BootEntry& e : config_.entries) {
        Proc& p = *proc_addr(e.slot);
        std::string program = e.kind == BootKind::CLIENT      ? "@client"
                              : e.kind == BootKind::IN_KERNEL ? "@kernel:" + e.program
                                                              : e.program;
        std::string args;
        for (const std::string& a : e.args) args.append(a).push_back('\0');
        r = arch::proc_spawn(p, program.c_str(), args.data(), args.size());
        if (r != OK) {
            hlog("umk: %s: cannot start %s (%s): error %d", e.where.c_str(), e.name.c_str(),
                 e.program.c_str(), r);
            ok = false;
            break;
        }
        if (e.kind == BootKind::CLIENT) {
            auto c = std::make_unique<Client>();
            c->page_ = p.p_arch.page;
            c->kpage_ = h.kpage;
            g_clients[e.name] = std::move(c);
        }
    }
    h.booting = false;
    if (!ok) {
        shutdown_all();
        finish(-1);
        return 1;
    }
    boot_start();
    for (auto& k : h.kernel_slots) k->on_start(k->self());
    hlog("umk: booted %zu processes (HZ %d)", config_.entries.size(), HZ);
    finish(1);

    run_loop();

    shutdown_all();
    g_clients.clear();
    hlog("umk: stopped");
    return 0;
}

bool Host::start() {
    {
        std::lock_guard lock(mu_);
        boot_state_ = 0;
    }
    thread_ = std::thread([this] { run(); });
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return boot_state_ != 0; });
    return boot_state_ == 1;
}

void Host::stop() {
    g_stop_requested.store(true);
    if (KernelPage* kp = g_kpage.load()) wake_kernel(kp);
    if (thread_.joinable()) thread_.join();
}

Client* Host::client(const std::string& name) {
    auto it = g_clients.find(name);
    return it == g_clients.end() ? nullptr : it->second.get();
}

endpoint_t Host::endpoint_of(const std::string& name) const {
    for (const BootEntry& e : config_.entries)
        if (e.name == name) return proc_addr(e.slot)->p_endpoint;
    return NONE;
}

}  // namespace umk::linux_host
