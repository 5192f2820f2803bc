// Issue #11's acceptance test: every service row of `umk service list`
// (pm, vm, ds, devman, tty, hello, rs, guard) survives a live update, each
// rollback flag (-x, -y, -z), an injected crash (`service fi`) and a host
// SIGSEGV, each in a fresh system (etc/boot.conf through `umk boot`, driven
// with the CLI as an administrator would). After every step the system
// still runs a user program (`umk cat /dev/hello`) and its state is intact:
//   - hello's open counter keeps counting ("hello_open(). Called N time(s)");
//   - DS keeps an entry published before: st_dsfill (label dsf) fills its
//     quota at the start; a restart of dsf after the step publishes the same
//     keys again and must find them there (EEXIST), not an empty store;
//   - devman and PM: a `umk cat /dev/st_mute` is running during the step
//     (PM's child, blocked in devman on a driver that never answers, with
//     its output pipe in devman); it must still end with cat's own error
//     on that pipe and its exit status collected through PM.
// Plus: multi-component updates of pm+vm+ds+devman (all succeed; the third
// fails with -y and all roll back) and crashes of RS, idle and during a
// live update of another service.
//
// Each case boots its own system; they run as separate CTest entries.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "booted_system.h"

namespace {

using namespace std::chrono_literals;

using umk_test::BootedSystem;
using umk_test::CliResult;
using umk_test::eventually;

// Every label `umk service list` should show (issue #11, design-11 §4-5).
const std::vector<std::string> kServices = {"pm",  "vm",    "ds", "devman",
                                            "tty", "hello", "rs", "guard"};

// Services whose state the running `umk cat /dev/st_mute` exercises.
bool holds_the_cat(const std::string& label) {
    return label == "pm" || label == "devman";
}

// Fixed-slot services and the guard restart in place (design-11 §2):
// same endpoint after a crash. hello has the `reset` policy.
bool restarts_in_place(const std::string& label) {
    return label != "hello";
}

class EveryService : public umk_test::BootedSystemTest {
  protected:
    // A fresh system: control socket up, hello serving, dsf holding its
    // DS entries, st_mute announced; the baseline of every check taken.
    void boot_system() {
        BootedSystem& sys = boot({.config_path = umk_test::default_boot_conf()});
        ASSERT_TRUE(eventually([&] { return sys.service("lookup hello").status == 0; }, 15s))
            << "the system did not come up";
        ASSERT_NO_FATAL_FAILURE(expect_cat_hello("boot"));
        CliResult r = sys.service("up st_dsfill -label dsf");
        ASSERT_EQ(r.status, 0) << r.out;
        std::string line;
        ASSERT_TRUE(sys.log.wait_for("DSFILL: dsf published", &line, 10s));
        ASSERT_NE(line.find("then ENOMEM"), std::string::npos) << line;
        ASSERT_EQ(line.find("published 0 entries"), std::string::npos) << line;
        r = sys.service("up st_mute");
        ASSERT_EQ(r.status, 0) << r.out;
        ASSERT_TRUE(sys.log.wait_for("MUTE: st_mute announced dev.st_mute", nullptr, 10s));
    }

    BootedSystem& sys() { return *sys_; }

    // Client commands with short timeouts: RS answers every request within
    // its own deadlines (a few seconds at most here), so a command that
    // takes longer means a wedged system; the case then fails at once
    // instead of spending 30 s on every later command.
    CliResult cli(const std::string& verb, const std::string& args,
                  std::chrono::milliseconds limit = 8s) {
        if (wedged_) return {};
        CliResult r = sys().cli(verb, args, limit);
        if (r.status == -1) wedged_ = true;
        return r;
    }
    CliResult svc(const std::string& args, std::chrono::milliseconds limit = 8s) {
        return cli("service", args, limit);
    }
    CliResult cat(const std::string& path) { return cli("cat", path, 15s); }
    // eventually(), given up as soon as the system is wedged.
    template <typename F>
    bool until(F&& ok, std::chrono::milliseconds limit) {
        return eventually([&] { return wedged_ || ok(); }, limit) && !wedged_;
    }

    int endpoint_of(const std::string& label) {
        CliResult r = svc("lookup " + label);
        return r.status == 0 ? std::stoi(r.out) : -1;
    }
    // A column of `umk service list` (1 restarts, 3 flags), "" if not listed.
    std::string list_field(const std::string& label, int field) {
        std::istringstream in(svc("list").out);
        for (std::string line; std::getline(in, line);) {
            std::istringstream w(line);
            std::string l, f[5];
            w >> l >> f[0] >> f[1] >> f[2] >> f[3] >> f[4];
            if (l == label) return f[field];
        }
        return "";
    }
    std::string restarts_of(const std::string& label) { return list_field(label, 1); }
    std::string flags_of(const std::string& label) { return list_field(label, 3); }
    // The host pid of a process name in `umk ps`, 0 if none.
    int pid_of(const std::string& name) {
        std::istringstream in(cli("ps", "").out);
        for (std::string line; std::getline(in, line);) {
            std::istringstream w(line);
            std::string slot, ep, n, flags, mgr, pid;
            w >> slot >> ep >> n >> flags >> mgr >> pid;
            if (n == name && pid != "-") return std::atoi(pid.c_str());
        }
        return 0;
    }
    std::size_t log_lines() { return static_cast<std::size_t>(sys().log.count("")); }
    // Processes named `name` in `umk ps` (its third column).
    int count_in_ps(const std::string& name) {
        std::istringstream in(cli("ps", "").out);
        int n = 0;
        for (std::string line; std::getline(in, line);) {
            std::istringstream w(line);
            std::string slot, ep, nm;
            w >> slot >> ep >> nm;
            n += nm == name;
        }
        return n;
    }

    // Listed, active, not initializing or updating.
    bool active(const std::string& label) {
        const std::string f = flags_of(label);
        return f.find('A') != std::string::npos && f.find('I') == std::string::npos &&
               f.find('U') == std::string::npos;
    }

    // RS still manages: a restart, and a crash of hello recovered.
    void expect_rs_manages() {
        const int ep = endpoint_of("hello");
        CliResult r = svc("restart hello");
        ASSERT_EQ(r.status, 0) << r.out;
        const int ep2 = endpoint_of("hello");
        EXPECT_NE(ep2, ep);
        const int pid = pid_of("hello");
        ASSERT_GT(pid, 0);
        ASSERT_EQ(kill(pid, SIGKILL), 0);
        EXPECT_TRUE(until(
            [&] {
                const int now = endpoint_of("hello");
                return now > 0 && now != ep2;
            },
            15s))
            << svc("list").out;
    }

    void TearDown() override {
        if (wedged_ && sys_) {
            ADD_FAILURE() << "a command did not finish: the system is wedged";
            sys_->stop(3s);
        }
        umk_test::BootedSystemTest::TearDown();
    }
    bool wedged_ = false;

    // What identifies the running instance of a service.
    struct Instance {
        int endpoint = -1;
        std::string restarts;
        int pid = 0;
    };
    Instance instance(const std::string& label) {
        return {endpoint_of(label), restarts_of(label), pid_of(label)};
    }

    // The last "hello_open(). Called N time(s)" so far, 0 if none.
    int last_open_count() {
        std::istringstream in(sys().log.text());
        int n = 0;
        const std::string needle = "hello_open(). Called ";
        for (std::string l; std::getline(in, l);) {
            const auto at = l.find(needle);
            if (at != std::string::npos) n = std::atoi(l.c_str() + at + needle.size());
        }
        return n;
    }

    // `umk cat /dev/hello` works (retried for a moment: after a crash the
    // system may still be recovering), and hello counted the open on top of
    // what it had counted before.
    void expect_cat_hello(const std::string& step) {
        const int before = last_open_count();
        const std::size_t from = log_lines();
        int tries = 0;
        CliResult c;
        const bool ok = until(
            [&] {
                ++tries;
                c = cat("/dev/hello");
                return c.status == 0 && c.out == "Hello, World!\n";
            },
            15s);
        ASSERT_TRUE(ok) << step << ": umk cat /dev/hello fails: " << c.status << " " << c.out;
        const std::string want = "Called " + std::to_string(before + 1) + " time(s)";
        // The line comes through TTY a moment after the open.
        EXPECT_NE(sys().log.wait_find("hello_open(). Called", from, 10s), std::string::npos)
            << step << ": hello logged no open";
        const int now = last_open_count();
        EXPECT_TRUE(now >= before + 1 && now <= before + tries)
            << step << ": hello's open counter went from " << before << " to " << now << " (want "
            << want << "): it did not keep counting";
    }

    // DS still holds dsf's entries: a restart of dsf (new instance, same
    // label) publishes the same keys without overwrite and gets EEXIST.
    void expect_ds_entries_kept(const std::string& step) {
        const int before = sys().log.count("DSFILL: dsf published");
        CliResult r;
        ASSERT_TRUE(until([&] { return (r = svc("restart dsf")).status == 0; }, 10s))
            << step << ": service restart dsf: " << r.out;
        ASSERT_GE(sys().log.wait_and_count("DSFILL: dsf published", before + 1, 10s), before + 1)
            << step << ": the restarted dsf did not report";
        std::string line;
        std::istringstream in(sys().log.text());
        for (std::string l; std::getline(in, l);)
            if (l.find("DSFILL: dsf published") != std::string::npos) line = l;
        EXPECT_NE(line.find("published 0 entries, then EEXIST"), std::string::npos)
            << step << ": DS lost the entries published before: " << line;
    }

    // A `umk cat /dev/st_mute` in flight: cat (PM's child) has its output
    // pipe in devman and its open suspended there (st_mute never answers).
    struct MuteCat {
        std::future<CliResult> result;
        std::chrono::steady_clock::time_point start;
    };
    MuteCat start_mute_cat() {
        const int seen = sys().log.count("MUTE: st_mute got request");
        // st_mute may just have been replaced (devman reports it to RS at
        // its deadline): wait for an announced instance.
        EXPECT_TRUE(until([&] { return active("st_mute"); }, 10s));
        MuteCat m;
        m.start = std::chrono::steady_clock::now();
        m.result = std::async(std::launch::async, [this] { return cat("/dev/st_mute"); });
        EXPECT_GE(sys().log.wait_and_count("MUTE: st_mute got request", seen + 1, 10s), seen + 1)
            << "cat's open never reached st_mute";
        return m;
    }
    // It ends with cat's error (EIO at devman's deadline, or ERESTART if
    // the service that held the request died) written on its pipe, and its
    // exit status 1 collected through PM.
    void expect_mute_cat_done(MuteCat& m, const std::string& step) {
        ASSERT_EQ(m.result.wait_for(25s), std::future_status::ready)
            << step << ": the running umk cat never ended";
        CliResult r = m.result.get();
        EXPECT_EQ(r.status, 1) << step << ": the running cat's status got lost: " << r.out;
        EXPECT_EQ(r.out.rfind("cat: /dev/st_mute: ", 0), 0u)
            << step << ": the running cat's output pipe got lost: " << r.out;
    }

    // The state checks every step ends with.
    void expect_intact(const std::string& step) {
        ASSERT_NO_FATAL_FAILURE(expect_cat_hello(step));
        ASSERT_NO_FATAL_FAILURE(expect_ds_entries_kept(step));
    }

    // A crashed service is back: active, a new host process, the restart
    // counted, and (restart policy) at its old endpoint.
    void expect_serving_again(const std::string& label, const Instance& old,
                              const std::string& step) {
        const bool back = until(
            [&] {
                const int pid = pid_of(label);
                return pid > 0 && pid != old.pid && active(label) && endpoint_of(label) >= 0;
            },
            15s);
        ASSERT_TRUE(back) << step << ": " << label << " is not serving again within 15 s\n"
                          << svc("list").out << cli("ps", "").out;
        const Instance now = instance(label);
        if (restarts_in_place(label)) {
            EXPECT_EQ(now.endpoint, old.endpoint) << step << ": restart policy keeps the endpoint";
        } else {
            EXPECT_NE(now.endpoint, old.endpoint) << step << ": reset policy: a new endpoint";
        }
        if (!old.restarts.empty() && !now.restarts.empty()) {
            EXPECT_EQ(std::stoi(now.restarts), std::stoi(old.restarts) + 1) << step;
        }
    }

    // One step that replaces or crashes `label`, with the running cat
    // around it for devman and PM, then every state check.
    template <typename Step>
    void around(const std::string& label, const std::string& step, Step&& act) {
        SCOPED_TRACE(label + ": " + step);
        MuteCat cat;
        const bool with_cat = holds_the_cat(label);
        if (with_cat) cat = start_mute_cat();
        act();
        if (with_cat) expect_mute_cat_done(cat, step);
        expect_intact(step);
    }
};

class EachService : public EveryService, public ::testing::WithParamInterface<std::string> {};

std::string name_of(const ::testing::TestParamInfo<std::string>& info) {
    return info.param;
}

// (a) `update self` succeeds: same endpoint and restart count, a new host
// process; (b) -x, -y, -z each fail and roll back: the old version (same
// host process, endpoint, restart count) goes on serving.
TEST_P(EachService, LiveUpdateThenEachRollback) {
    const std::string label = GetParam();
    ASSERT_NO_FATAL_FAILURE(boot_system());
    ASSERT_NE(endpoint_of(label), -1) << label << " is not running\n" << svc("list").out;

    Instance before = instance(label);
    around(label, "update self", [&] {
        CliResult r = svc("update self -label " + label + " -maxtime 5HZ");
        ASSERT_EQ(r.status, 0) << "the live update of " << label << " failed: " << r.out;
        EXPECT_TRUE(until([&] { return active(label); }, 5s)) << svc("list").out;
        const Instance now = instance(label);
        EXPECT_EQ(now.endpoint, before.endpoint);
        EXPECT_EQ(now.restarts, before.restarts);
        EXPECT_NE(now.pid, before.pid) << "no new version runs";
        EXPECT_GT(now.pid, 0);
    });
    ASSERT_FALSE(HasFailure()) << "the rollbacks need a working live update";

    const struct {
        const char* flag;
        int status;
    } rollbacks[] = {{"-x", 85}, {"-y", 38}, {"-z", 4}};
    for (const auto& rb : rollbacks) {
        before = instance(label);
        around(label, std::string("update self ") + rb.flag, [&] {
            const std::string maxtime = std::string(rb.flag) == "-z" ? "1HZ" : "5HZ";
            CliResult r =
                svc("update self -label " + label + " -maxtime " + maxtime + " " + rb.flag);
            EXPECT_EQ(r.status, rb.status) << r.out;
            EXPECT_TRUE(until([&] { return active(label); }, 5s)) << svc("list").out;
            const Instance now = instance(label);
            EXPECT_EQ(now.endpoint, before.endpoint);
            EXPECT_EQ(now.restarts, before.restarts);
            EXPECT_EQ(now.pid, before.pid) << "the old version does not serve any more";
            // The new version is gone (nothing of it left in the process table).
            EXPECT_TRUE(until([&] { return count_in_ps(label) == 1; }, 5s)) << cli("ps", "").out;
        });
    }
}

// (c) `service fi L`: the service crashes itself on request; RS brings it back.
TEST_P(EachService, FaultInjectionRecovers) {
    const std::string label = GetParam();
    ASSERT_NO_FATAL_FAILURE(boot_system());
    const Instance before = instance(label);
    ASSERT_GT(before.pid, 0) << label << " is not running\n" << cli("ps", "").out;
    around(label, "service fi", [&] {
        CliResult r = svc("fi " + label);
        ASSERT_EQ(r.status, 0) << r.out;
        expect_serving_again(label, before, "service fi");
    });
}

// (c) A host SIGSEGV of the service's process.
TEST_P(EachService, HostSegvRecovers) {
    const std::string label = GetParam();
    ASSERT_NO_FATAL_FAILURE(boot_system());
    const Instance before = instance(label);
    ASSERT_GT(before.pid, 0) << label << " is not running\n" << cli("ps", "").out;
    around(label, "SIGSEGV", [&] {
        ASSERT_EQ(kill(before.pid, SIGSEGV), 0);
        expect_serving_again(label, before, "SIGSEGV");
    });
}

INSTANTIATE_TEST_SUITE_P(Services, EachService, ::testing::ValuesIn(kServices), name_of);

// The cases above cover every row of `umk service list`, and every row is there.
TEST_F(EveryService, ListShowsExactlyTheCoveredServices) {
    ASSERT_NO_FATAL_FAILURE(boot_system());
    std::istringstream in(svc("list").out);
    std::set<std::string> rows;
    std::string line;
    std::getline(in, line);  // header
    for (; std::getline(in, line);) {
        std::istringstream w(line);
        std::string l;
        if (w >> l) rows.insert(l);
    }
    rows.erase("dsf");  // this test's own services
    rows.erase("st_mute");
    const std::set<std::string> want(kServices.begin(), kServices.end());
    EXPECT_EQ(rows, want) << svc("list").out;
}

// ---- multi-component live update (design-11 §3) ----

const std::vector<std::string> kCore = {"pm", "vm", "ds", "devman"};

TEST_F(EveryService, MultiComponentUpdateOfPmVmDsDevman) {
    ASSERT_NO_FATAL_FAILURE(boot_system());
    std::vector<Instance> before;
    for (const std::string& l : kCore) before.push_back(instance(l));
    around("devman", "upd_run", [&] {
        for (const std::string& l : kCore) {
            CliResult r = svc("update self -label " + l + " -q");
            ASSERT_EQ(r.status, 0) << "queueing " << l << ": " << r.out;
        }
        CliResult r = svc("sysctl upd_run", 25s);  // several members, each with its maxtime
        ASSERT_EQ(r.status, 0) << r.out;
        for (std::size_t i = 0; i < kCore.size(); ++i) {
            EXPECT_TRUE(until([&] { return active(kCore[i]); }, 5s)) << kCore[i];
            const Instance now = instance(kCore[i]);
            EXPECT_EQ(now.endpoint, before[i].endpoint) << kCore[i];
            EXPECT_EQ(now.restarts, before[i].restarts) << kCore[i];
            EXPECT_NE(now.pid, before[i].pid) << kCore[i] << " was not updated";
        }
    });
}

TEST_F(EveryService, MultiComponentUpdateWhoseThirdFailsRollsAllBack) {
    ASSERT_NO_FATAL_FAILURE(boot_system());
    std::vector<Instance> before;
    for (const std::string& l : kCore) before.push_back(instance(l));
    around("devman", "upd_run with ds -y", [&] {
        for (std::size_t i = 0; i < kCore.size(); ++i) {
            CliResult r = svc("update self -label " + kCore[i] + " -q" + (i == 2 ? " -y" : ""));
            ASSERT_EQ(r.status, 0) << "queueing " << kCore[i] << ": " << r.out;
        }
        const std::size_t from = log_lines();
        CliResult r = svc("sysctl upd_run", 25s);  // several members, each with its maxtime
        EXPECT_EQ(r.status, 38) << r.out;          // ENOSYS: ds's new version failed its init
        EXPECT_NE(sys().log.wait_find("ds", from, 5s), std::string::npos);
        for (std::size_t i = 0; i < kCore.size(); ++i) {
            EXPECT_TRUE(until([&] { return active(kCore[i]); }, 5s)) << kCore[i];
            const Instance now = instance(kCore[i]);
            EXPECT_EQ(now.endpoint, before[i].endpoint) << kCore[i];
            EXPECT_EQ(now.restarts, before[i].restarts) << kCore[i];
            EXPECT_EQ(now.pid, before[i].pid) << kCore[i] << " was not rolled back";
        }
    });
    // The queue is gone: a new run has nothing to do, and a single update works.
    CliResult r = svc("update self -label vm");
    EXPECT_EQ(r.status, 0) << r.out;
}

// ---- RS recovery (design-11 §4) ----

TEST_F(EveryService, RsCrashWhileIdle) {
    ASSERT_NO_FATAL_FAILURE(boot_system());
    const int rs = pid_of("rs");
    ASSERT_GT(rs, 0);
    ASSERT_EQ(kill(rs, SIGSEGV), 0);
    EXPECT_TRUE(until(
        [&] {
            const int now = pid_of("rs");
            return now > 0 && now != rs && svc("list").status == 0;
        },
        15s))
        << "RS did not come back\n"
        << cli("ps", "").out;
    ASSERT_NO_FATAL_FAILURE(expect_intact("RS crash"));
    ASSERT_NO_FATAL_FAILURE(expect_rs_manages());
}

TEST_F(EveryService, RsCrashDuringAnotherServicesLiveUpdate) {
    ASSERT_NO_FATAL_FAILURE(boot_system());
    ASSERT_EQ(svc("up rs_victim -label slow -args neverready").status, 0);
    const Instance slow = instance("slow");
    const int rs = pid_of("rs");
    ASSERT_GT(rs, 0);
    // An update that stays in flight (the old version never gets ready)
    // until RS dies under it.
    auto update = std::async(std::launch::async,
                             [&] { return svc("update self -label slow -state 2 -maxtime 10HZ"); });
    ASSERT_TRUE(until([&] { return flags_of("slow").find('U') != std::string::npos; }, 5s))
        << svc("list").out;
    ASSERT_EQ(kill(rs, SIGSEGV), 0);
    // The CLI request made meanwhile gets an answer (an error is fine).
    ASSERT_EQ(update.wait_for(25s), std::future_status::ready) << "the update never answered";
    CliResult r = update.get();
    EXPECT_NE(r.status, 0) << r.out;
    EXPECT_NE(r.status, -1) << r.out;
    EXPECT_TRUE(until(
        [&] {
            const int now = pid_of("rs");
            return now > 0 && now != rs && svc("list").status == 0;
        },
        15s))
        << "RS did not come back\n"
        << cli("ps", "").out;
    // The old version of slow goes on; its would-be successor is gone.
    EXPECT_TRUE(until([&] { return active("slow"); }, 15s)) << svc("list").out;
    EXPECT_EQ(instance("slow").endpoint, slow.endpoint);
    EXPECT_EQ(instance("slow").pid, slow.pid);
    EXPECT_TRUE(until([&] { return count_in_ps("rs_victim") == 1; }, 5s)) << cli("ps", "").out;
    ASSERT_NO_FATAL_FAILURE(expect_intact("RS crash during an update"));
    // A later live update works.
    r = svc("update self -label hello");
    EXPECT_EQ(r.status, 0) << r.out;
    ASSERT_NO_FATAL_FAILURE(expect_rs_manages());
}

}  // namespace
