// The scheduler's HTTPS-only rule: tokens must not cross a network in clear. A scheduler that listens
// beyond loopback (":8080", "0.0.0.0:8080", a LAN address) without tls_server_config in its web config
// refuses to start unless --insecure-http is given, and then warns on every start.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/log.h"
#include "common/status.h"

namespace buildfarm::scheduler {

// True for 127.0.0.0/8, ::1 and "localhost"; false for every other host, including the empty host
// (":8080", every interface).
bool IsLoopbackHost(std::string_view host);

// InvalidArgument naming the first non-loopback address when TLS is off and `insecure_http` is not set;
// with `insecure_http`, logs a warning naming the addresses and returns Ok.
Status CheckListenSecurity(const std::vector<std::string>& listen_addresses, bool tls_enabled, bool insecure_http,
                           const Logger& log);

}  // namespace buildfarm::scheduler
