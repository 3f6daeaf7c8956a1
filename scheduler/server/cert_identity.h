// Agents known by their TLS client certificate (optional mTLS): when the scheduler's web config verifies
// client certificates (client_auth_type VerifyClientCertIfGiven or RequireAndVerifyClientCert, with
// client_ca_file) and a request carries no bearer token, a certificate that verified against that CA makes
// the request an agent's for the node named by the certificate (its first DNS subjectAltName, else its CN).
// The CA is then the authority over node names, so such a node has no label or capacity limits of a token.
//
// Stateless; thread-safe.
#pragma once

#include <httplib.h>

#include <optional>

#include "scheduler/server/auth.h"

namespace buildfarm::scheduler {

// The agent principal of a request without an Authorization header whose client certificate verified;
// nullopt otherwise (the token path then decides).
std::optional<Principal> PrincipalFromClientCertificate(const httplib::Request& req);

}  // namespace buildfarm::scheduler
