// CTL_PS: the process table, as a service reads it (SYS_GETINFO
// GET_PROCTAB into the slot's memory), with what only the host knows added
// to each row: what serves the slot and its host pid (umk_linux/kernel_thread.h).
#pragma once

#include "umk/types.h"

namespace umk::control {

class CtlSock;

class ProcessList {
  public:
    explicit ProcessList(CtlSock& slot) : slot_(slot) {}
    void start();                                 // GET_PROCTAB
    void done(int result, const message* reply);  // the table is in; answer

  private:
    CtlSock& slot_;
};

}  // namespace umk::control
