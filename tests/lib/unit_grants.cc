// The grant table: registration on first use, entries, revoke and reuse.
#include <gtest/gtest.h>

#include "fake_trap.h"
#include "umklib/syslib.h"

using namespace umk;

namespace {

class LibGrants : public ::testing::Test {
  protected:
    void SetUp() override {
        fake::reset();
        fake::on_kernel_call(SYS_SETGRANT, [this](message& m) {
            table = reinterpret_cast<const cp_grant_t*>(m.SG_ADDR);
            entries = m.SG_SIZE;
            return setgrant_result;
        });
    }
    const cp_grant_t* table = nullptr;
    int entries = 0;
    int setgrant_result = OK;
};

TEST_F(LibGrants, FirstGrantRegistersTheTableOnce) {
    char buf[100];
    const cp_grant_id_t g = cpf_grant_direct(7, vir_addr(buf), sizeof buf, CPF_READ | CPF_WRITE);
    ASSERT_GE(g, 0);
    ASSERT_NE(table, nullptr);
    EXPECT_EQ(entries, 64);
    const cp_grant_t& e = table[g];
    EXPECT_EQ(e.cp_flags, CPF_USED | CPF_VALID | CPF_DIRECT | CPF_READ | CPF_WRITE);
    EXPECT_EQ(e.cp_to, 7);
    EXPECT_EQ(e.cp_start, vir_addr(buf));
    EXPECT_EQ(e.cp_len, sizeof buf);
    EXPECT_GE(cpf_grant_direct(8, 0x1000, 1, CPF_READ), 0);
    EXPECT_EQ(fake::kernel_calls(SYS_SETGRANT).size(), 1u);
}

TEST_F(LibGrants, IndirectGrant) {
    const cp_grant_id_t g = cpf_grant_indirect(9, 10, 3);
    ASSERT_GE(g, 0);
    EXPECT_EQ(table[g].cp_flags, CPF_USED | CPF_VALID | CPF_INDIRECT);
    EXPECT_EQ(table[g].cp_to, 9);
    EXPECT_EQ(table[g].cp_from, 10);
    EXPECT_EQ(table[g].cp_grant, 3);
    EXPECT_EQ(cpf_grant_indirect(9, 10, -1), GRANT_INVALID);
}

TEST_F(LibGrants, MagicGrant) {
    const cp_grant_id_t g = cpf_grant_magic(9, 90, 0x4000, 4096, CPF_WRITE);
    ASSERT_GE(g, 0);
    EXPECT_EQ(table[g].cp_flags, CPF_USED | CPF_VALID | CPF_MAGIC | CPF_WRITE);
    EXPECT_EQ(table[g].cp_to, 9);
    EXPECT_EQ(table[g].cp_from, 90);  // whose memory
    EXPECT_EQ(table[g].cp_start, 0x4000u);
    EXPECT_EQ(table[g].cp_len, 4096u);
    EXPECT_EQ(cpf_grant_magic(9, 90, 0x1000, 1, 0x4), GRANT_INVALID);
    EXPECT_EQ(cpf_grant_magic(9, 90, ~vir_bytes{0} - 2, 16, CPF_READ), GRANT_INVALID);
    EXPECT_EQ(cpf_revoke(g), OK);
    EXPECT_EQ(table[g].cp_flags, 0u);
}

TEST_F(LibGrants, RevokeFreesTheEntryForReuse) {
    const cp_grant_id_t a = cpf_grant_direct(1, 0x1000, 10, CPF_READ);
    const cp_grant_id_t b = cpf_grant_direct(1, 0x2000, 10, CPF_READ);
    ASSERT_NE(a, b);
    EXPECT_EQ(cpf_revoke(a), OK);
    EXPECT_EQ(table[a].cp_flags, 0u);  // the kernel refuses it from now on
    EXPECT_EQ(cpf_revoke(a), -EINVAL);
    EXPECT_EQ(cpf_revoke(-1), -EINVAL);
    EXPECT_EQ(cpf_revoke(64), -EINVAL);
    EXPECT_EQ(cpf_grant_direct(2, 0x3000, 10, CPF_WRITE), a);  // reused
}

TEST_F(LibGrants, TableFullGivesGrantInvalid) {
    for (int i = 0; i < 64; ++i) ASSERT_EQ(cpf_grant_direct(1, 0x1000, 1, CPF_READ), i);
    EXPECT_EQ(cpf_grant_direct(1, 0x1000, 1, CPF_READ), GRANT_INVALID);
    EXPECT_EQ(cpf_grant_indirect(1, 2, 0), GRANT_INVALID);
    EXPECT_EQ(cpf_revoke(17), OK);
    EXPECT_EQ(cpf_grant_direct(1, 0x1000, 1, CPF_READ), 17);
}

TEST_F(LibGrants, BadArgumentsAreRefused) {
    EXPECT_EQ(cpf_grant_direct(1, 0x1000, 1, 0x4), GRANT_INVALID);  // unknown access bit
    EXPECT_EQ(cpf_grant_direct(1, ~vir_bytes{0} - 2, 16, CPF_READ), GRANT_INVALID);  // wraps
}

TEST_F(LibGrants, FailedRegistrationIsRetried) {
    setgrant_result = -ECALLDENIED;
    EXPECT_EQ(cpf_grant_direct(1, 0x1000, 1, CPF_READ), GRANT_INVALID);
    setgrant_result = OK;
    EXPECT_EQ(cpf_grant_direct(1, 0x1000, 1, CPF_READ), 0);
    EXPECT_EQ(fake::kernel_calls(SYS_SETGRANT).size(), 2u);
}

}  // namespace
