// Prints VM's record of hello (VM_PROC_INFO), so a test can see that VM
// took part in a live update (the record of the image moved and counted it).
#include <cstdint>

#include "st_util.h"
#include "umklib/ds.h"
#include "umklib/vm_proto.h"

int main() {
    using namespace umk;
    sef_startup();
    std::uint32_t hello = 0;
    int r = ds_retrieve_label_num("hello", &hello);
    message m{};
    m.m_type = VM_PROC_INFO;
    m.VM_INFO_ENDPT = static_cast<endpoint_t>(hello);
    if (r == OK) r = ipc_sendrec(VM_PROC_NR, &m);
    if (r == OK) r = m.m_type;
    if (r != OK)
        log_printf("VMINFO: hello: error %d\n", r);
    else
        log_printf("VMINFO: hello endpoint %d slot %d updates %d\n", m.VM_INFO_ENDPT,
                   m.VM_INFO_SLOT, m.VM_INFO_UPDATES);
    for (;;) {
        sef_receive(ANY, &m);
    }
}
