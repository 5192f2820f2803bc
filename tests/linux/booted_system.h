// The booted-system fixture: `umk boot` as a child process, its output
// captured line by line, `umk` client commands with a timeout, a bounded
// shutdown and a check that no process of the system is left. Every test
// that boots the `umk` executable uses it, so that all of them stop the
// same way, cannot hang on a wedged system and print the boot log when
// they fail.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "harness.h"

namespace umk_test {

using namespace std::chrono_literals;

// Where the build put things (compiled into booted_system.cc).
const std::string& umk_exe();            // the `umk` executable
const std::string& test_programs();      // libexec/umk: services and programs
const std::string& default_boot_conf();  // the build's copy of etc/boot.conf

// The system servers and hello in their boot slots (PM 0, devman 1, RS 2,
// TTY 5, DS 6, VM 8, hello 10), as etc/boot.conf has them but without the
// control socket, followed by `extra` (a test's own programs and slots).
std::string system_image(const std::string& extra);

// A `umk` command that ran to its end, or was killed at its timeout.
struct CliResult {
    int status = -1;  // exit status; -1 if it did not exit (killed, timeout)
    std::string out;  // stdout and stderr
};

// `umk ARGS...` with its output captured. A command still running after
// `timeout` is killed (its whole process group) and the test fails: a
// wedged system must fail a test, not hang it.
CliResult run_umk(const std::vector<std::string>& args, std::chrono::milliseconds timeout = 30s);

// Calls `ok` until it is true or `limit` has passed; its last answer.
template <typename F>
bool eventually(F&& ok, std::chrono::milliseconds limit = 10s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (ok()) return true;
        std::this_thread::sleep_for(50ms);
    }
    return ok();
}

// Default member initializers everywhere: designated initializers that
// name only some fields then pass -Wmissing-field-initializers.
struct BootOptions {
    std::string config_text{};   // written to the private directory; else config_path
    std::string config_path{};   // neither: umk's own default config
    bool programs = true;        // --programs test_programs()
    bool control_socket = true;  // --sock in the private directory
    std::vector<std::string> extra_args{};
};

// One `umk boot` child in its own process group (so every service it
// spawns can be found, and killed, by that group), in a private temporary
// directory for its config and control socket.
class BootedSystem {
  public:
    explicit BootedSystem(BootOptions opt);
    ~BootedSystem();  // stop(), quietly, if the test did not
    BootedSystem(const BootedSystem&) = delete;
    BootedSystem& operator=(const BootedSystem&) = delete;

    pid_t pid() const { return pid_; }
    const std::string& socket() const { return sock_; }

    // Client commands against this system (args split at spaces).
    CliResult cli(const std::string& verb, const std::string& args = {},
                  std::chrono::milliseconds timeout = 30s);
    CliResult service(const std::string& args) { return cli("service", args); }
    CliResult cat(const std::string& path) { return cli("cat", path); }
    CliResult ps() { return cli("ps"); }
    // A column of `umk service list` for a label (0 endpoint, 1 restarts,
    // 3 flags, 4 host pid), "" if it is not listed.
    std::string list_field(const std::string& label, int field);
    // The host pid of a process name in `umk ps` (RS lists neither itself
    // nor in-kernel slots), 0 if it has none.
    int host_pid(const std::string& name);

    // The raw wait status once the kernel process has ended within `limit`.
    std::optional<int> wait_exit(std::chrono::milliseconds limit);

    // Stops the system: `umk service shutdown` (SIGTERM without a control
    // socket), a bounded wait, then SIGKILL of the whole group. Fails the
    // test if it had to kill. Idempotent. The bounds add up to less than a
    // test's CTest timeout, so a wedged shutdown still prints the boot log.
    void stop(std::chrono::milliseconds limit = 15s);
    // Processes of the system's group still alive (not zombies).
    std::vector<pid_t> leftovers() const;
    // stop(), then fail the test for every process of the system left
    // after a bounded wait (services die with the kernel, a moment later).
    void stop_and_check();

    LogCapture log;

  private:
    void finish(bool report);

    std::string dir_, sock_, conf_;
    pid_t pid_ = -1;  // also the process group of the system
    std::optional<int> status_;
    bool finished_ = false;
    std::atomic<bool> reader_stop_{false};
    std::thread reader_;
};

// A test that boots `umk` with boot(); TearDown stops the system, checks
// that nothing is left (of the system, or any child of the test), and
// prints the whole boot log if the test failed.
class BootedSystemTest : public ::testing::Test {
  protected:
    BootedSystem& boot(BootOptions opt = {});
    void TearDown() override;

    std::unique_ptr<BootedSystem> sys_;
};

// The default system (etc/boot.conf) booted for each test, ready once the
// control socket answers and hello is up; the CLI calls the tests use.
class DefaultSystemTest : public BootedSystemTest {
  protected:
    void SetUp() override;

    CliResult service(const std::string& args) { return sys_->service(args); }
    CliResult cat(const std::string& dev) { return sys_->cat(dev); }
    CliResult ps() { return sys_->ps(); }
    // The endpoint `service lookup` gives, -1 if it fails.
    int endpoint_of(const std::string& label);
};

}  // namespace umk_test
