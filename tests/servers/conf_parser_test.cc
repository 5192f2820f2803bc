// The system.conf parser: a good file with every keyword, and each kind of
// error reported with file:line and what was expected.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "umk/com.h"
#include "umk/err.h"
#include "umk/priv_flags.h"
#include "umklib/system_conf.h"

namespace {

using namespace umk;
using namespace umk::conf;

struct Parsed {
    int status;
    Config cfg;
    Error err;
    std::string message() const {
        char buf[256];
        format_error(err, buf, sizeof buf);
        return buf;
    }
};

Parsed* parse_text(const std::string& text) {
    static Parsed p;  // Config is large; keep it off the stack
    p.status = parse(text.data(), text.size(), "test.conf", &p.cfg, &p.err);
    return &p;
}

TEST(ConfParser, GoodFileWithEveryKeyword) {
    const char* text = R"(# a comment
service base
{
	uid service;
	period 2HZ;
};

service hello   # trailing comment
{
	system IRQCTL DEVIO   # 19 21
		PRIVCTL;
	ipc SYSTEM PM RS DS VM tty
		pci;
	irq 6 7;
	io 3f0:8 81;
	vm RS_UPDATE INFO;
	control ds;
	uid 0;
	nice -3;
	pci device 10ec/8029;
	sigmgr rs;
	class base;
};
service empty { };
)";
    Parsed* p = parse_text(text);
    ASSERT_EQ(p->status, OK) << p->message();
    ASSERT_EQ(p->cfg.count, 3);
    const ServiceConf* h = find(p->cfg, "hello");
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->line, 8);
    EXPECT_EQ(h->calls, (1ull << 19) | (1ull << 21) | (1ull << (SYS_PRIVCTL - KERNEL_CALL)));
    EXPECT_EQ(h->ipc_special, IPC_SYSTEM);
    ASSERT_EQ(h->nr_ipc, 6);
    EXPECT_STREQ(h->ipc[0], "pm");
    EXPECT_STREQ(h->ipc[4], "tty");
    EXPECT_STREQ(h->ipc[5], "pci");
    ASSERT_EQ(h->nr_irq, 2);
    EXPECT_EQ(h->irq[1], 7);
    ASSERT_EQ(h->nr_io, 2);
    EXPECT_EQ(h->io[0].base, 0x3f0u);
    EXPECT_EQ(h->io[0].len, 8u);
    EXPECT_EQ(h->io[1].base, 0x81u);
    EXPECT_EQ(h->io[1].len, 1u);
    EXPECT_EQ(h->vm, VM_RS_UPDATE | VM_INFO);
    ASSERT_EQ(h->nr_control, 1);
    EXPECT_STREQ(h->control[0], "ds");
    EXPECT_EQ(h->uid, 0);  // its own uid wins over the class's
    EXPECT_EQ(h->nice, -3);
    ASSERT_EQ(h->nr_pci, 1);
    EXPECT_EQ(h->pci[0], 0x10ec8029u);
    EXPECT_STREQ(h->sigmgr, "rs");
    EXPECT_EQ(h->period, 2 * HZ);  // inherited from the class
    EXPECT_TRUE(h->set & SET_PERIOD);

    const ServiceConf* e = find(p->cfg, "empty");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->set, 0u);
    EXPECT_EQ(find(p->cfg, "nosuch"), nullptr);
}

TEST(ConfParser, AllAndBasicCallSets) {
    Parsed* p = parse_text("service a { system ALL; };\nservice b { system BASIC; ipc ALL_SYS; };");
    ASSERT_EQ(p->status, OK) << p->message();
    EXPECT_EQ(p->cfg.services[0].calls, (1ull << NR_SYS_CALLS) - 1);
    EXPECT_EQ(p->cfg.services[1].calls, 0u);
    EXPECT_EQ(p->cfg.services[1].ipc_special, IPC_ALL_SYS | IPC_SYSTEM);
}

// umk's authority flags, and their inheritance through `class`.
TEST(ConfParser, AuthorityFlags) {
    Parsed* p = parse_text(
        "service tty { authority LOG_READER; };\n"
        "service ctl { authority MANAGE SPAWN_ANY_PATH; };\n"
        "service tty2 { class tty; };\nservice none { };");
    ASSERT_EQ(p->status, OK) << p->message();
    EXPECT_EQ(p->cfg.services[0].authority, umk::LOG_READER);
    EXPECT_EQ(p->cfg.services[1].authority,
              umk::MANAGE_SERVICES | umk::SPAWN_PROGRAMS | umk::SPAWN_ANY_PATH);
    EXPECT_EQ(p->cfg.services[2].authority, umk::LOG_READER);
    EXPECT_EQ(p->cfg.services[3].authority, 0u);
}

// Restart policies (MINIX 3.4): restart | reset, inherited through `class`,
// POLICY_DEFAULT without a policy line.
TEST(ConfParser, RestartPolicies) {
    Parsed* p = parse_text(
        "service pm { policy restart; };\n"
        "service hello { policy reset; };\n"
        "service pm2 { class pm; };\n"
        "service pm3 { policy reset; class pm; };\n"
        "service none { };");
    ASSERT_EQ(p->status, OK) << p->message();
    EXPECT_EQ(p->cfg.services[0].policy, POLICY_RESTART);
    EXPECT_TRUE(p->cfg.services[0].set & SET_POLICY);
    EXPECT_EQ(p->cfg.services[1].policy, POLICY_RESET);
    EXPECT_EQ(p->cfg.services[2].policy, POLICY_RESTART);
    EXPECT_EQ(p->cfg.services[3].policy, POLICY_RESET);  // its own line wins over the class
    EXPECT_EQ(p->cfg.services[4].policy, POLICY_DEFAULT);
    EXPECT_FALSE(p->cfg.services[4].set & SET_POLICY);
}

struct BadCase {
    const char* text;
    int line;
    const char* fragment;  // must appear in the message
};

class ConfParserError : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConfParserError, NamesFileLineAndWhatWasExpected) {
    const BadCase& c = GetParam();
    Parsed* p = parse_text(c.text);
    ASSERT_NE(p->status, OK);
    EXPECT_EQ(p->cfg.count, 0);
    EXPECT_EQ(p->err.line, c.line) << p->message();
    std::string msg = p->message();
    std::string prefix = "test.conf:" + std::to_string(c.line) + ": ";
    EXPECT_EQ(msg.rfind(prefix, 0), 0u) << msg;
    EXPECT_NE(msg.find(c.fragment), std::string::npos) << msg;
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ConfParserError,
    ::testing::Values(
        BadCase{"service a {\n system PRIVCTL FROBNICATE;\n};", 2,
                "unknown kernel call 'FROBNICATE'"},
        BadCase{"service a {\n\n colour blue;\n};", 3, "unknown keyword 'colour'"},
        BadCase{"service a {\n uid 0\n};", 3, "expected ';' after 'uid', found '}'"},
        BadCase{"service a {\n uid 0\n system KILL;\n};", 3,
                "expected ';' after the value of 'uid', found 'system'"},
        BadCase{"service a {\n uid 0;\n", 3, "unterminated block of service 'a'"},
        BadCase{"service a {\n uid 0;\n}", 3, "expected ';' after '}', found end of file"},
        BadCase{"servise a { };", 1, "expected 'service', found 'servise'"},
        BadCase{"service { };", 1, "expected a service name"},
        BadCase{"service a uid 0; };", 1, "expected '{' after the service name"},
        BadCase{"service a { };\nservice a { };", 2, "defined twice"},
        BadCase{"service a { irq 1 2 3 4 5; };", 1, "too many values in 'irq'"},
        BadCase{"service a {\n io zz;\n};", 2, "bad value 'zz' in 'io'"},
        BadCase{"service a {\n vm FLY;\n};", 2, "unknown VM call 'FLY'"},
        BadCase{"service a {\n authority ROOT;\n};", 2, "unknown authority 'ROOT'"},
        BadCase{"service a {\n period soon;\n};", 2, "bad value 'soon' in 'period'"},
        BadCase{"service a {\n policy reboot;\n};", 2,
                "bad value 'reboot' in 'policy' (expected 'restart' or 'reset')"},
        BadCase{"service a {\n policy restart reset;\n};", 2,
                "expected ';' after the value of 'policy'"},
        BadCase{"service a { policy; };", 1, "'policy' needs a value"},
        BadCase{"service a { class nosuch; };", 1, "unknown class 'nosuch'"},
        BadCase{"service a { uid; };", 1, "'uid' needs a value"},
        BadCase{"service averyveryverylongname { };", 1, "longer than 15"},
        BadCase{"service a { pci bus 1; };", 1, "expected 'device' or 'class'"},
        BadCase{"service a {\n ipc averyveryverylonglabel;\n};", 2, "at most 15 characters"}));

TEST(ConfParser, TicksWithHzSuffix) {
    EXPECT_EQ(parse_ticks("120", 60), 120);
    EXPECT_EQ(parse_ticks("3HZ", 60), 180);
    EXPECT_EQ(parse_ticks("0", 60), 0);
    EXPECT_EQ(parse_ticks("HZ", 60), -1);
    EXPECT_EQ(parse_ticks("-1", 60), -1);
    EXPECT_EQ(parse_ticks("3hz", 60), -1);
    EXPECT_EQ(parse_ticks("", 60), -1);
}

TEST(ConfParser, KernelCallNamesRoundTrip) {
    EXPECT_EQ(kernel_call_by_name("UPDATE"), SYS_UPDATE - KERNEL_CALL);
    EXPECT_EQ(kernel_call_by_name("SPAWN"), SYS_SPAWN - KERNEL_CALL);
    EXPECT_EQ(kernel_call_by_name("update"), -1);  // names are upper case, as in MINIX
    EXPECT_STREQ(kernel_call_name(SYS_PRIVCTL - KERNEL_CALL), "PRIVCTL");
    EXPECT_EQ(kernel_call_name(17), nullptr);
}

// The shipped etc/system.conf parses and has an entry for every shipped service.
TEST(ConfParser, ShippedSystemConfParses) {
    std::string path = std::string(UMK_SOURCE_DIR) + "/etc/system.conf";
    FILE* f = std::fopen(path.c_str(), "r");
    ASSERT_NE(f, nullptr) << path;
    std::string text;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
    std::fclose(f);
    static Config cfg;
    Error err;
    int r = parse(text.data(), text.size(), "etc/system.conf", &cfg, &err);
    char msg[256];
    format_error(err, msg, sizeof msg);
    ASSERT_EQ(r, OK) << msg;
    for (const char* name : {"rs", "pm", "ds", "vm", "tty", "hello", "hello_v2", "guard"})
        EXPECT_NE(find(cfg, name), nullptr) << name;
    // The system servers and the guardian restart in place (design 11, section 2).
    for (const char* name : {"rs", "pm", "ds", "vm", "tty", "devman", "guard"})
        EXPECT_EQ(find(cfg, name)->policy, POLICY_RESTART) << name;
    EXPECT_EQ(find(cfg, "hello")->policy, POLICY_DEFAULT);
    // Only TTY reads the log, and no shipped service manages services.
    for (int i = 0; i < cfg.count; ++i) {
        const ServiceConf& c = cfg.services[i];
        EXPECT_EQ((c.authority & umk::LOG_READER) != 0, std::string(c.name) == "tty") << c.name;
        EXPECT_EQ(c.authority & umk::MANAGE_SERVICES, 0u) << c.name;
    }
}

}  // namespace
