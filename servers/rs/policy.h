// What a request may ask for a new service (servers/rs/policy.cc): the
// privileges system.conf grants a label are the most it gets; a request's
// own entry (`service up -config FILE`) may narrow them, never widen them.
#pragma once

#include "umklib/service_conf.h"

namespace umk::rs {

// nullptr if `asked` stays within `granted`, else what it would widen
// (e.g. "kernel calls"), for the log line.
const char* widens(const conf::ServiceConf& asked, const conf::ServiceConf& granted);

}  // namespace umk::rs
