#include "scheduler/server/listen_security.h"

#include "common/http_server.h"

namespace buildfarm::scheduler {

bool IsLoopbackHost(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

Status CheckListenSecurity(const std::vector<std::string>& listen_addresses, bool tls_enabled, bool insecure_http,
                           const Logger& log) {
  if (tls_enabled) return Status::Ok();
  std::string exposed;
  for (const std::string& address : listen_addresses) {
    if (address.empty()) continue;
    std::string host;
    int port = 0;
    BUILDFARM_RETURN_IF_ERROR(SplitHostPort(address, &host, &port));
    // SplitHostPort turns an empty host (every interface) into 0.0.0.0, which is not loopback.
    if (IsLoopbackHost(host)) continue;
    exposed += (exposed.empty() ? "" : ",") + address;
  }
  if (exposed.empty()) return Status::Ok();
  if (!insecure_http) {
    return InvalidArgument("flag --web.listen-address: " + exposed +
                           " is reachable beyond this host, and tokens would cross the network in clear: set "
                           "tls_server_config in the web config (--web.config.file or web_config_file:), listen on "
                           "127.0.0.1 only, or pass --insecure-http to accept plain HTTP");
  }
  log.Warn("serving plain HTTP beyond loopback (--insecure-http): tokens cross the network in clear",
           {{"address", exposed}});
  return Status::Ok();
}

}  // namespace buildfarm::scheduler
