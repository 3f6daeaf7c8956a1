#include "scheduler/server/cert_identity.h"

#include "common/tls_server.h"

namespace buildfarm::scheduler {

std::optional<Principal> PrincipalFromClientCertificate(const httplib::Request& req) {
  if (req.has_header("Authorization")) return std::nullopt;
  auto name = VerifiedClientName(req);
  if (!name) return std::nullopt;
  Principal who;
  who.name = "cert:" + *name;
  who.role = Role::kAgent;
  who.node = *name;
  return who;
}

}  // namespace buildfarm::scheduler
