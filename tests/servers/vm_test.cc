// VM_RS_UPDATE (MINIX servers/vm/rs.c, reference section 13): RS only,
// the kernel's sys_update first, then the records of the two slots swap
// while each slot keeps its endpoint; a second update swaps back.
#include <gtest/gtest.h>

#include "fake_sys.h"
#include "umk/err.h"
#include "umklib/ipc.h"
#include "umklib/vm_proto.h"
#include "vm.h"

namespace {

using namespace umk;

constexpr endpoint_t RS = 2;
constexpr endpoint_t OLD = 40;              // hello, slot 40
constexpr endpoint_t NEW = 41 + 2 * 36558;  // the new version, slot 41

class Vm : public ::testing::Test {
  protected:
    void SetUp() override {
        fake::reset();
        vm::vm_init(VM_PROC_NR, RS);
        fake::route(VM_PROC_NR, [](message& m) { return vm::handle_request(m); });
        old_image = vm::vm_learn(OLD, "hello")->image;
        new_image = vm::vm_learn(NEW, "hello_v2")->image;
        fake::set_self(RS);
    }
    static message info(endpoint_t ep) {
        message m{};
        m.m_type = VM_PROC_INFO;
        m.VM_INFO_ENDPT = ep;
        EXPECT_EQ(ipc_sendrec(VM_PROC_NR, &m), OK);
        return m;
    }
    std::uint64_t old_image = 0, new_image = 0;
};

TEST_F(Vm, UpdateCallsTheKernelFirstThenSwapsRecordsKeepingEndpoints) {
    EXPECT_EQ(vm_update(OLD, NEW), OK);
    ASSERT_EQ(fake::kcalls().size(), 1u);
    EXPECT_EQ(fake::kcalls()[0], "sys_update 40 73157 0");
    message a = info(OLD);
    EXPECT_EQ(a.m_type, OK);
    EXPECT_EQ(a.VM_INFO_ENDPT, OLD);
    EXPECT_EQ(a.VM_INFO_SLOT, 40);
    EXPECT_EQ(static_cast<std::uint64_t>(a.VM_INFO_IMAGE), new_image);  // the new image
    EXPECT_EQ(a.VM_INFO_UPDATES, 1);
    message b = info(NEW);
    EXPECT_EQ(b.VM_INFO_ENDPT, NEW);
    EXPECT_EQ(b.VM_INFO_SLOT, 41);
    EXPECT_EQ(static_cast<std::uint64_t>(b.VM_INFO_IMAGE), old_image);
    std::string name = vm::vm_record(OLD)->name;
    EXPECT_EQ(name, "hello_v2");
}

TEST_F(Vm, SecondUpdateOfTheSamePairRollsBack) {
    EXPECT_EQ(vm_update(OLD, NEW), OK);
    EXPECT_EQ(vm_update(OLD, NEW, SYS_UPD_ROLLBACK), OK);
    EXPECT_EQ(fake::kcalls().back(), "sys_update 40 73157 1");
    EXPECT_EQ(static_cast<std::uint64_t>(info(OLD).VM_INFO_IMAGE), old_image);
    EXPECT_EQ(static_cast<std::uint64_t>(info(NEW).VM_INFO_IMAGE), new_image);
    EXPECT_EQ(info(OLD).VM_INFO_ENDPT, OLD);
}

TEST_F(Vm, OnlyRsMayUpdate) {
    fake::set_self(OLD);
    EXPECT_EQ(vm_update(OLD, NEW), -ENOSYS);
    EXPECT_TRUE(fake::kcalls().empty()) << "the kernel must not be asked";
    EXPECT_NE(fake::log().find("unauthorized"), std::string::npos);
}

TEST_F(Vm, KernelRefusalLeavesTheRecordsAlone) {
    fake::on_sys_update = [](endpoint_t, endpoint_t, int) { return -EBUSY; };
    EXPECT_EQ(vm_update(OLD, NEW), -EBUSY);
    EXPECT_EQ(static_cast<std::uint64_t>(info(OLD).VM_INFO_IMAGE), old_image);
    EXPECT_EQ(info(OLD).VM_INFO_UPDATES, 0);
}

TEST_F(Vm, BadEndpointsAndUnknownRequests) {
    EXPECT_EQ(vm_update(OLD, -3), -EINVAL);  // a kernel task has no VM record
    EXPECT_EQ(info(12345).m_type, -ESRCH);
    message m{};
    m.m_type = VM_RQ_BASE + 99;
    EXPECT_EQ(ipc_sendrec(VM_PROC_NR, &m), OK);
    EXPECT_EQ(m.m_type, -ENOSYS);
}

TEST_F(Vm, ASlotReusedByANewProcessGetsAFreshRecord) {
    constexpr endpoint_t OLD_NEXT_GEN = OLD + 36558;
    vm::VmProc* p = vm::vm_learn(OLD_NEXT_GEN, "other");
    ASSERT_NE(p, nullptr);
    EXPECT_NE(p->image, old_image);
    EXPECT_EQ(vm::vm_record(OLD), nullptr);
}

}  // namespace
