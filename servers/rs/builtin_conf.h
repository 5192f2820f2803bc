// etc/system.conf, built into RS (generated builtin_conf.cc).
#pragma once

#include <cstddef>

namespace umk::rs {
extern const char builtin_system_conf[];
extern const std::size_t builtin_system_conf_len;
}  // namespace umk::rs
