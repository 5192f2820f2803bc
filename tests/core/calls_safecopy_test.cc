// SYS_SETGRANT, SYS_SAFECOPYFROM, SYS_SAFECOPYTO: memory grants.
#include <cstring>

#include "calls_harness.h"

namespace umk {
namespace {

using namespace test;

constexpr std::size_t TABLE = 0x100;  // grant tables live here in each process
constexpr int ENTRIES = 8;

int setgrant(Proc& p, vir_bytes addr, int entries) {
    message m{};
    m.SG_ADDR = addr;
    m.SG_SIZE = entries;
    return kc(p, SYS_SETGRANT, m);
}

void put_grant(Proc& p, int gid, const cp_grant_t& g) {
    write_mem(p, mem_addr(TABLE) + gid * sizeof(cp_grant_t), &g, sizeof g);
}

cp_grant_t direct(endpoint_t to, vir_bytes start, vir_bytes len, std::uint32_t access) {
    cp_grant_t g{};
    g.cp_flags = CPF_USED | CPF_VALID | CPF_DIRECT | access;
    g.cp_to = to;
    g.cp_start = start;
    g.cp_len = len;
    return g;
}

cp_grant_t indirect(endpoint_t to, endpoint_t from, cp_grant_id_t gid) {
    cp_grant_t g{};
    g.cp_flags = CPF_USED | CPF_VALID | CPF_INDIRECT;
    g.cp_to = to;
    g.cp_from = from;
    g.cp_grant = gid;
    return g;
}

// A magic grant: `to` may copy `owner`'s memory (only slot VFS_PROC_NR may
// make one; in this harness that is the process called "pm").
cp_grant_t magic(endpoint_t to, endpoint_t owner, vir_bytes start, vir_bytes len,
                 std::uint32_t access) {
    cp_grant_t g{};
    g.cp_flags = CPF_USED | CPF_VALID | CPF_MAGIC | access;
    g.cp_to = to;
    g.cp_from = owner;
    g.cp_start = start;
    g.cp_len = len;
    return g;
}

int safecopy(Proc& caller, int call, endpoint_t granter, cp_grant_id_t gid, std::int64_t offset,
             vir_bytes addr, std::int64_t bytes) {
    message m{};
    m.SCP_FROM_TO = granter;
    m.SCP_GID = gid;
    m.SCP_OFFSET = offset;
    m.SCP_ADDRESS = addr;
    m.SCP_BYTES = bytes;
    return kc(caller, call, m);
}

class SafecopyTest : public ::testing::Test {
  protected:
    void SetUp() override {
        boot_managed();
        for (proc_nr_t s : {SVC, VFS, RS})
            ASSERT_EQ(setgrant(proc(s), mem_addr(TABLE), ENTRIES), OK);
        write_mem(proc(SVC), mem_addr(0x800), "hello, granted world", 21);
    }
    Proc& granter() { return proc(SVC); }
    Proc& grantee() { return proc(SVC2); }
    std::string read_str(Proc& p, vir_bytes at, std::size_t n) {
        std::string s(n, '\0');
        read_mem(p, at, s.data(), n);
        return s;
    }
};

TEST_F(SafecopyTest, FromReadsGrantedMemory) {
    put_grant(granter(), 0, direct(ep(SVC2), mem_addr(0x800), 21, CPF_READ));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 0, 7, mem_addr(0x200), 7), OK);
    EXPECT_EQ(read_str(grantee(), mem_addr(0x200), 7), "granted");
}

TEST_F(SafecopyTest, ToWritesGrantedMemory) {
    put_grant(granter(), 1, direct(ep(SVC2), mem_addr(0x800), 21, CPF_WRITE));
    write_mem(grantee(), mem_addr(0x300), "GRANTED", 7);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYTO, ep(SVC), 1, 7, mem_addr(0x300), 7), OK);
    EXPECT_EQ(read_str(granter(), mem_addr(0x800), 21), std::string("hello, GRANTED world\0", 21));
}

TEST_F(SafecopyTest, LargeCopiesGoThroughInChunks) {
    std::vector<unsigned char> data(6000);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<unsigned char>(i * 7 + 3);
    write_mem(granter(), mem_addr(0x400), data.data(), data.size());
    put_grant(granter(), 2, direct(ep(SVC2), mem_addr(0x400), data.size(), CPF_READ | CPF_WRITE));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 2, 0, mem_addr(0x400), 6000), OK);
    std::vector<unsigned char> got(6000);
    read_mem(grantee(), mem_addr(0x400), got.data(), got.size());
    EXPECT_EQ(got, data);
    // And back, changed.
    for (auto& c : got) c ^= 0x5a;
    write_mem(grantee(), mem_addr(0x400), got.data(), got.size());
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYTO, ep(SVC), 2, 0, mem_addr(0x400), 6000), OK);
    std::vector<unsigned char> back(6000);
    read_mem(granter(), mem_addr(0x400), back.data(), back.size());
    EXPECT_EQ(back, got);
}

TEST_F(SafecopyTest, AnyGrantee) {
    put_grant(granter(), 0, direct(ANY, mem_addr(0x800), 5, CPF_READ));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 0, 0, mem_addr(0x200), 5), OK);
    EXPECT_EQ(safecopy(proc(VFS), SYS_SAFECOPYFROM, ep(SVC), 0, 0, mem_addr(0x200), 5), OK);
}

TEST_F(SafecopyTest, WrongGranteeIsEperm) {
    put_grant(granter(), 0, direct(ep(VFS), mem_addr(0x800), 21, CPF_READ));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 0, 0, mem_addr(0x200), 5), -EPERM);
}

TEST_F(SafecopyTest, MissingAccessIsEperm) {
    put_grant(granter(), 0, direct(ep(SVC2), mem_addr(0x800), 21, CPF_READ));
    put_grant(granter(), 1, direct(ep(SVC2), mem_addr(0x800), 21, CPF_WRITE));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYTO, ep(SVC), 0, 0, mem_addr(0x200), 5), -EPERM);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 1, 0, mem_addr(0x200), 5), -EPERM);
    EXPECT_EQ(read_str(granter(), mem_addr(0x800), 5), "hello");
}

TEST_F(SafecopyTest, OutOfRangeIsEperm) {
    put_grant(granter(), 0, direct(ep(SVC2), mem_addr(0x800), 21, CPF_READ));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 0, 0, mem_addr(0x200), 22), -EPERM);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 0, 20, mem_addr(0x200), 2), -EPERM);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 0, 21, mem_addr(0x200), 0), OK);
    // offset + bytes wrapping around
    EXPECT_EQ(
        safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 0, INT64_MAX, mem_addr(0x200), INT64_MAX),
        -EPERM);
    // A grant whose own range wraps.
    put_grant(granter(), 1, direct(ep(SVC2), ~vir_bytes{0} - 3, 16, CPF_READ));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 1, 0, mem_addr(0x200), 1), -EPERM);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 0, -1, mem_addr(0x200), 1), -EINVAL);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 0, 0, mem_addr(0x200), -1), -EINVAL);
}

TEST_F(SafecopyTest, RevokedOrInvalidIsEperm) {
    cp_grant_t g = direct(ep(SVC2), mem_addr(0x800), 21, CPF_READ);
    put_grant(granter(), 0, g);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 0, 0, mem_addr(0x200), 5), OK);
    g.cp_flags &= ~CPF_VALID;  // revoked
    put_grant(granter(), 0, g);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 0, 0, mem_addr(0x200), 5), -EPERM);
    g.cp_flags = CPF_VALID | CPF_DIRECT | CPF_READ;  // not USED
    put_grant(granter(), 0, g);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 0, 0, mem_addr(0x200), 5), -EPERM);
    g.cp_flags = CPF_USED | CPF_VALID | CPF_READ;  // neither direct nor indirect
    put_grant(granter(), 0, g);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 0, 0, mem_addr(0x200), 5), -EPERM);
    g.cp_flags = CPF_USED | CPF_VALID | CPF_MAGIC | CPF_READ;  // magic, but not VFS's table
    put_grant(granter(), 0, g);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 0, 0, mem_addr(0x200), 5), -EPERM);
}

TEST_F(SafecopyTest, BadIdsAndGranters) {
    put_grant(granter(), 0, direct(ep(SVC2), mem_addr(0x800), 21, CPF_READ));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), ENTRIES, 0, mem_addr(0x200), 1),
              -EPERM);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), -1, 0, mem_addr(0x200), 1), -EINVAL);
    EXPECT_EQ(
        safecopy(grantee(), SYS_SAFECOPYFROM, make_endpoint(3, SVC), 0, 0, mem_addr(0x200), 1),
        -EINVAL);
    // No table registered (SVC2), or a table the kernel cannot read.
    EXPECT_EQ(safecopy(proc(SVC), SYS_SAFECOPYFROM, ep(SVC2), 0, 0, mem_addr(0x200), 1), -EPERM);
    ASSERT_EQ(setgrant(granter(), 0x20, ENTRIES), OK);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 0, 0, mem_addr(0x200), 1), -EPERM);
    // Unregistered again.
    ASSERT_EQ(setgrant(granter(), mem_addr(TABLE), 0), OK);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 0, 0, mem_addr(0x200), 1), -EPERM);
}

TEST_F(SafecopyTest, IndirectGrant) {
    // SVC lets VFS read; VFS passes the right on to SVC2.
    put_grant(proc(SVC), 3, direct(ep(VFS), mem_addr(0x800), 21, CPF_READ));
    put_grant(proc(VFS), 4, indirect(ep(SVC2), ep(SVC), 3));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(VFS), 4, 0, mem_addr(0x200), 5), OK);
    EXPECT_EQ(read_str(grantee(), mem_addr(0x200), 5), "hello");
    // The indirect grant is not for RS.
    EXPECT_EQ(safecopy(proc(RS), SYS_SAFECOPYFROM, ep(VFS), 4, 0, mem_addr(0x200), 5), -EPERM);
    // The direct grant is not for VFS: VFS cannot pass on what it does not have.
    put_grant(proc(SVC), 3, direct(ep(RS), mem_addr(0x800), 21, CPF_READ));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(VFS), 4, 0, mem_addr(0x200), 5), -EPERM);
}

TEST_F(SafecopyTest, IndirectChainDepthAndLoop) {
    // VFS's entries 0..4 each point to the next one; entry 5 is direct.
    for (int i = 0; i < 5; ++i) put_grant(proc(VFS), i, indirect(ANY, ep(VFS), i + 1));
    write_mem(proc(VFS), mem_addr(0x900), "chain", 5);
    put_grant(proc(VFS), 5, direct(ANY, mem_addr(0x900), 5, CPF_READ));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(VFS), 0, 0, mem_addr(0x200), 5), OK);
    EXPECT_EQ(read_str(grantee(), mem_addr(0x200), 5), "chain");
    // One more level is too deep.
    put_grant(proc(VFS), 5, indirect(ANY, ep(VFS), 6));
    put_grant(proc(VFS), 6, direct(ANY, mem_addr(0x900), 5, CPF_READ));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(VFS), 0, 0, mem_addr(0x200), 5), -ELOOP);
    // A grant that points at itself.
    put_grant(proc(VFS), 7, indirect(ANY, ep(VFS), 7));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(VFS), 7, 0, mem_addr(0x200), 5), -ELOOP);
}

TEST_F(SafecopyTest, MagicGrantOfSlotOneReachesAnotherProcess) {
    static_assert(endpoint_slot(VFS_PROC_NR) == VFS, "the harness's VFS is in VFS's slot");
    write_mem(proc(USER), mem_addr(0xa00), "user buffer", 11);
    // VFS (slot 1) lets SVC2 (a driver) read and write USER's buffer.
    put_grant(proc(VFS), 2, magic(ep(SVC2), ep(USER), mem_addr(0xa00), 11, CPF_READ | CPF_WRITE));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(VFS), 2, 5, mem_addr(0x200), 6), OK);
    EXPECT_EQ(read_str(grantee(), mem_addr(0x200), 6), "buffer");
    write_mem(grantee(), mem_addr(0x300), "USER", 4);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYTO, ep(VFS), 2, 0, mem_addr(0x300), 4), OK);
    EXPECT_EQ(read_str(proc(USER), mem_addr(0xa00), 11), "USER buffer");
    // VFS itself may be the grantee (devman copying pipe data).
    put_grant(proc(VFS), 3, magic(ep(VFS), ep(USER), mem_addr(0xa00), 11, CPF_READ));
    EXPECT_EQ(safecopy(proc(VFS), SYS_SAFECOPYFROM, SELF, 3, 0, mem_addr(0x200), 4), OK);
    EXPECT_EQ(read_str(proc(VFS), mem_addr(0x200), 4), "USER");
}

TEST_F(SafecopyTest, MagicGrantChecksLikeADirectOne) {
    put_grant(proc(VFS), 0, magic(ep(SVC2), ep(SVC), mem_addr(0x800), 21, CPF_READ));
    EXPECT_EQ(safecopy(proc(RS), SYS_SAFECOPYFROM, ep(VFS), 0, 0, mem_addr(0x200), 5), -EPERM);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYTO, ep(VFS), 0, 0, mem_addr(0x200), 5), -EPERM);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(VFS), 0, 20, mem_addr(0x200), 2), -EPERM);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(VFS), 0, 0, mem_addr(0x200), 5), OK);
    EXPECT_EQ(read_str(grantee(), mem_addr(0x200), 5), "hello");
}

TEST_F(SafecopyTest, MagicGrantOutsideSlotOneIsEperm) {
    // SVC is not VFS: its "magic" grant for VFS's memory is refused.
    write_mem(proc(VFS), mem_addr(0x900), "secret", 6);
    put_grant(proc(SVC), 0, magic(ep(SVC2), ep(VFS), mem_addr(0x900), 6, CPF_READ));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 0, 0, mem_addr(0x200), 6), -EPERM);
    EXPECT_NE(read_str(grantee(), mem_addr(0x200), 6), "secret");
}

TEST_F(SafecopyTest, MagicGrantForADeadOrKernelProcessIsEperm) {
    put_grant(proc(VFS), 0, magic(ep(SVC2), make_endpoint(3, SVC), mem_addr(0x800), 21, CPF_READ));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(VFS), 0, 0, mem_addr(0x200), 5), -EPERM);
    put_grant(proc(VFS), 0, magic(ep(SVC2), SYSTEM, mem_addr(0x800), 21, CPF_READ));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(VFS), 0, 0, mem_addr(0x200), 5), -EPERM);
    // The owner exists, then its slot is cleared.
    put_grant(proc(VFS), 0, magic(ep(SVC2), ep(USER), mem_addr(0x800), 21, CPF_READ));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(VFS), 0, 0, mem_addr(0x200), 5), OK);
    message m{};
    m.PR_ENDPT = ep(USER);
    ASSERT_EQ(kc(proc(RS), SYS_CLEAR, m), OK);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(VFS), 0, 0, mem_addr(0x200), 5), -EPERM);
}

TEST_F(SafecopyTest, IndirectGrantMayEndInAMagicOne) {
    // VFS grants driver SVC the user's buffer; SVC passes it on to SVC2.
    write_mem(proc(USER), mem_addr(0xa00), "passed on", 9);
    put_grant(proc(VFS), 1, magic(ep(SVC), ep(USER), mem_addr(0xa00), 9, CPF_READ));
    put_grant(proc(SVC), 2, indirect(ep(SVC2), ep(VFS), 1));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 2, 0, mem_addr(0x200), 9), OK);
    EXPECT_EQ(read_str(grantee(), mem_addr(0x200), 9), "passed on");
    // The magic grant is for SVC, not for SVC2 directly.
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(VFS), 1, 0, mem_addr(0x200), 9), -EPERM);
}

TEST_F(SafecopyTest, RevokedMagicGrantIsEperm) {
    cp_grant_t g = magic(ep(SVC2), ep(USER), mem_addr(0x800), 8, CPF_READ);
    put_grant(proc(VFS), 0, g);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(VFS), 0, 0, mem_addr(0x200), 8), OK);
    g.cp_flags &= ~CPF_VALID;
    put_grant(proc(VFS), 0, g);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(VFS), 0, 0, mem_addr(0x200), 8), -EPERM);
}

TEST_F(SafecopyTest, FaultsPropagate) {
    put_grant(granter(), 0, direct(ep(SVC2), mem_addr(0x800), 21, CPF_READ | CPF_WRITE));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 0, 0, 0x10, 5), -EFAULT);
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYTO, ep(SVC), 0, 0, 0x10, 5), -EFAULT);
    EXPECT_EQ(read_str(granter(), mem_addr(0x800), 5), "hello");
    // The granter granted memory it does not have.
    put_grant(granter(), 1, direct(ep(SVC2), 0x20, 100, CPF_READ));
    EXPECT_EQ(safecopy(grantee(), SYS_SAFECOPYFROM, ep(SVC), 1, 0, mem_addr(0x200), 5), -EFAULT);
}

TEST(CallsSetgrant, RecordsTheTable) {
    boot_managed();
    EXPECT_EQ(setgrant(proc(SVC), mem_addr(0x40), 12), OK);
    EXPECT_EQ(priv_of(SVC).s_grant_table, mem_addr(0x40));
    EXPECT_EQ(priv_of(SVC).s_grant_entries, 12);
    EXPECT_EQ(setgrant(proc(SVC), mem_addr(0x40), -1), -EINVAL);
    EXPECT_EQ(priv_of(SVC).s_grant_entries, 12);
    EXPECT_EQ(setgrant(proc(SVC), mem_addr(0x40), 0), OK);
    EXPECT_EQ(priv_of(SVC).s_grant_table, 0u);
    // Not on the shared user record.
    user_priv()->s_k_call_mask.set(SYS_SETGRANT - KERNEL_CALL);
    EXPECT_EQ(setgrant(proc(USER), mem_addr(0x40), 4), -EPERM);
    user_priv()->s_k_call_mask.reset(SYS_SETGRANT - KERNEL_CALL);
    EXPECT_EQ(user_priv()->s_grant_table, 0u);
}

}  // namespace
}  // namespace umk
