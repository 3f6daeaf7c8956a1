// Server-side TLS for GuardedServer (http_transport.h): an OpenSSL context built from a web config's
// tls_server_config, and the handshake/read/write loops over a non-blocking socket. The transport drives
// these loops with its own deadlines, so a client that sends its TLS handshake (or a TLS record) a byte at a
// time is cut off exactly like one that sends a plain request head slowly.
//
// TLS 1.0 and 1.1 are never negotiated, nor renegotiation or compression. A TlsServerContext is immutable
// after Create() and shared by every connection of a server (OpenSSL's SSL_CTX is thread-safe for this);
// each SSL* belongs to the one thread serving its connection.
#pragma once

#include <httplib.h>
#include <openssl/ssl.h>
#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "common/web_config.h"

namespace buildfarm {

class TlsServerContext {
 public:
  // Loads the certificate chain, key and client CA; errors name the file and the config key.
  static Result<std::shared_ptr<TlsServerContext>> Create(const TlsServerConfig& config);
  ~TlsServerContext();
  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;

  // A new server-side connection on `sock`, which is made non-blocking; nullptr if OpenSSL fails.
  SSL* NewConnection(int sock) const;

 private:
  explicit TlsServerContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

// Waits until the socket is ready for `events` (POLLIN or POLLOUT); false when the wait's deadline passed.
using TlsWait = std::function<bool(short events)>;

// The OpenSSL calls retried through WANT_READ/WANT_WRITE with `wait` between tries. TlsAccept is true when
// the handshake completed; TlsRead/TlsWrite return bytes moved, 0 at the peer's close_notify, -1 on error
// or timeout.
bool TlsAccept(SSL* ssl, const TlsWait& wait);
ssize_t TlsRead(SSL* ssl, char* buffer, size_t size, const TlsWait& wait);
ssize_t TlsWrite(SSL* ssl, const char* buffer, size_t size, const TlsWait& wait);
// Sends close_notify without waiting for the peer's, then frees the connection.
void TlsClose(SSL* ssl);

// The verified client certificate's identity on a TLS request: its first DNS subjectAltName, else its
// subject CN. Empty when the request is not over TLS, has no client certificate, or the certificate did not
// verify against tls_server_config.client_ca_file.
std::optional<std::string> VerifiedClientName(const httplib::Request& req);

}  // namespace buildfarm
