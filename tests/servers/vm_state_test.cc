// VM's state transfer (servers/vm): the records written as a checkpoint and
// read back into a fresh VM; damaged records dropped with their reason; the
// process table bringing restored records up to date; VM's own update,
// which RS performs with sys_update (VM refuses to swap itself) and whose
// record swap the new VM does at init.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "fake_sys.h"
#include "umk/err.h"
#include "umklib/ipc.h"
#include "umklib/vm_proto.h"
#include "vm.h"

namespace {

using namespace umk;

constexpr endpoint_t RS = 2;
constexpr endpoint_t HELLO = 10;
constexpr endpoint_t NEW = 41 + 2 * 36558;  // a new version, slot 41
constexpr endpoint_t USER = 50;

class VmState : public ::testing::Test {
  protected:
    void SetUp() override {
        fake::reset();
        vm::vm_init(VM_PROC_NR, RS);
        fake::route(VM_PROC_NR, [](message& m) { return vm::handle_request(m); });
        vm::vm_learn(VM_PROC_NR, "vm");
        vm::vm_learn(HELLO, "hello");
        vm::vm_learn(NEW, "hello_v2");
        vm::vm_learn(USER, "cat");
        fake::set_self(RS);
    }
    static bool logged(const std::string& what) {
        return fake::log().find(what) != std::string::npos;
    }
    static vm::VmState saved() {
        static vm::VmState st;
        vm::vm_state_save(&st);
        return st;
    }
};

TEST_F(VmState, RoundTripKeepsRecordsAndImageIds) {
    ASSERT_EQ(vm_update(HELLO, NEW), OK);  // hello's record now holds the new image
    const vm::VmProc before = *vm::vm_record(HELLO);
    static vm::VmState st;
    vm::vm_state_save(&st);

    vm::vm_init(VM_PROC_NR, RS);  // a new VM
    EXPECT_EQ(vm::vm_record(HELLO), nullptr);
    int kept = 0, dropped = 0;
    ASSERT_EQ(vm::vm_state_load(st, &kept, &dropped), OK);
    EXPECT_EQ(kept, 4);
    EXPECT_EQ(dropped, 0);
    const vm::VmProc* after = vm::vm_record(HELLO);
    ASSERT_NE(after, nullptr);
    EXPECT_EQ(after->image, before.image);
    EXPECT_EQ(after->updates, 1);
    EXPECT_STREQ(after->name, "hello_v2");
    // The rollback still swaps back what the old VM swapped.
    ASSERT_EQ(vm_update(HELLO, NEW, SYS_UPD_ROLLBACK), OK);
    EXPECT_STREQ(vm::vm_record(HELLO)->name, "hello");
    // New images get new ids: the counter came along.
    const vm::VmProc* fresh = vm::vm_learn(60, "new");
    EXPECT_GT(fresh->image, before.image);
}

TEST_F(VmState, ChangesAreCounted) {
    std::uint64_t c = vm::vm_changes();
    message m{};
    m.m_type = VM_PROC_INFO;
    m.VM_INFO_ENDPT = HELLO;
    ASSERT_EQ(ipc_sendrec(VM_PROC_NR, &m), OK);
    EXPECT_EQ(vm::vm_changes(), c);  // a read changes nothing
    ASSERT_EQ(vm_update(HELLO, NEW), OK);
    EXPECT_GT(vm::vm_changes(), c);
}

TEST_F(VmState, DamagedRecordsAreDropped) {
    static vm::VmState st;
    vm::vm_state_save(&st);
    const int hello = HELLO, user = USER, neu = 41;
    st.procs[hello].slot = 3;                                           // not its place
    std::memset(st.procs[user].name, 'x', sizeof st.procs[user].name);  // no NUL
    st.procs[neu].image = st.next_image;                                // not issued yet
    st.procs[VM_PROC_NR].in_use = 7;                                    // a wild mark
    st.procs[20] = st.procs[41];                                        // garbage in a free slot
    st.procs[20].image = 1;
    int kept = 0, dropped = 0;
    vm::vm_init(VM_PROC_NR, RS);
    ASSERT_EQ(vm::vm_state_load(st, &kept, &dropped), OK);
    EXPECT_EQ(kept, 0) << fake::log();
    EXPECT_EQ(dropped, 5);
    for (const char* why :
         {"slot does not match", "name not terminated", "image id out of range", "bad in-use mark"})
        EXPECT_TRUE(logged(why)) << why << fake::log();

    // A duplicate image id: the second goes.
    vm::vm_init(VM_PROC_NR, RS);
    vm::vm_learn(HELLO, "hello");
    vm::vm_learn(USER, "cat");
    vm::vm_state_save(&st);
    st.procs[user].image = st.procs[hello].image;
    ASSERT_EQ(vm::vm_state_load(st, &kept, &dropped), OK);
    EXPECT_EQ(kept, 1);
    EXPECT_TRUE(logged("duplicate image id"));
    EXPECT_EQ(vm::vm_record(USER), nullptr);
}

TEST_F(VmState, AnotherLayoutIsRefusedAndNothingChanges) {
    static vm::VmState st;
    vm::vm_state_save(&st);
    const std::uint64_t hello_image = vm::vm_record(HELLO)->image;
    st.record_size += 1;
    EXPECT_EQ(vm::vm_state_load(st, nullptr, nullptr), -EINVAL);
    st.record_size -= 1;
    st.magic = 0;
    EXPECT_EQ(vm::vm_state_load(st, nullptr, nullptr), -EINVAL);
    EXPECT_EQ(vm::vm_record(HELLO)->image, hello_image);
    EXPECT_TRUE(logged("another layout"));
}

TEST_F(VmState, ProcessTableBringsRestoredRecordsUpToDate) {
    const std::uint64_t hello_image = vm::vm_record(HELLO)->image;
    const std::uint64_t user_image = vm::vm_record(USER)->image;
    const endpoint_t user_again = USER + 36558;  // slot 50, next generation
    vm::ProcTabEntry procs[] = {
        {-2, false, "system"},                               // a kernel task: no record
        {VM_PROC_NR, false, "vm"}, {HELLO, false, "hello"},  // unchanged: its record stays
        {NEW, true, ""},                                     // gone
        {user_again, false, "sh"},                           // another process in the slot
        {70, false, "late"},                                 // started while VM was down
    };
    vm::vm_reconcile(procs, sizeof procs / sizeof procs[0]);
    EXPECT_EQ(vm::vm_record(HELLO)->image, hello_image);
    EXPECT_EQ(vm::vm_record(NEW), nullptr);
    EXPECT_EQ(vm::vm_record(USER), nullptr);
    ASSERT_NE(vm::vm_record(user_again), nullptr);
    EXPECT_NE(vm::vm_record(user_again)->image, user_image);
    ASSERT_NE(vm::vm_record(70), nullptr);
    EXPECT_STREQ(vm::vm_record(70)->name, "late");
}

TEST_F(VmState, VmRefusesToSwapItselfSoRsCallsTheKernel) {
    const endpoint_t new_vm = 42 + 36558;
    EXPECT_EQ(vm_update(VM_PROC_NR, new_vm), -EINVAL);
    EXPECT_EQ(vm_update(HELLO, VM_PROC_NR), -EINVAL);
    EXPECT_TRUE(fake::kcalls().empty()) << "the kernel must not be asked";
    EXPECT_TRUE(logged("RS must call sys_update for VM"));

    // The new VM's part (init_lu): its record and its predecessor's swap.
    const std::uint64_t old_vm_image = vm::vm_record(VM_PROC_NR)->image;
    vm::vm_learn(new_vm, "vm");
    const std::uint64_t new_vm_image = vm::vm_record(new_vm)->image;
    ASSERT_EQ(vm::vm_swap_records(VM_PROC_NR, new_vm), OK);
    EXPECT_EQ(vm::vm_record(VM_PROC_NR)->image, new_vm_image);
    EXPECT_EQ(vm::vm_record(VM_PROC_NR)->updates, 1);
    EXPECT_EQ(vm::vm_record(new_vm)->image, old_vm_image);
    EXPECT_EQ(vm::vm_record(VM_PROC_NR)->vm_endpoint, VM_PROC_NR);
}

}  // namespace
