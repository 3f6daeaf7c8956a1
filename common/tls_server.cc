#include "common/tls_server.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <algorithm>

namespace buildfarm {
namespace {

std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

// RequestClientCert and RequireAnyClientCert take any certificate; VerifiedClientName still only trusts
// one that verified.
int AcceptAnyCertificate(int /*preverify_ok*/, X509_STORE_CTX* /*ctx*/) { return 1; }

// Runs `op` until it completes, waiting as OpenSSL asks in between. Returns op's positive result, 0 at a
// clean close, -1 otherwise.
template <typename Op>
int Drive(SSL* ssl, const TlsWait& wait, Op op) {
  for (;;) {
    ERR_clear_error();
    int n = op();
    if (n > 0) return n;
    switch (SSL_get_error(ssl, n)) {
      case SSL_ERROR_WANT_READ:
        if (!wait(POLLIN)) return -1;
        break;
      case SSL_ERROR_WANT_WRITE:
        if (!wait(POLLOUT)) return -1;
        break;
      case SSL_ERROR_ZERO_RETURN:
        return 0;
      default:
        ERR_clear_error();
        return -1;
    }
  }
}

}  // namespace

Result<std::shared_ptr<TlsServerContext>> TlsServerContext::Create(const TlsServerConfig& config) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return Internal("cannot create a TLS context: " + OpenSslError());
  std::shared_ptr<TlsServerContext> context(new TlsServerContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, config.min_tls13 ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  static const unsigned char kSessionContext[] = "buildfarm";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  if (SSL_CTX_use_certificate_chain_file(ctx, config.cert_file.c_str()) != 1) {
    return InvalidArgument("tls_server_config.cert_file: cannot load certificate " + config.cert_file + ": " +
                           OpenSslError());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, config.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return InvalidArgument("tls_server_config.key_file: cannot load private key " + config.key_file + ": " +
                           OpenSslError());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return InvalidArgument("tls_server_config.key_file: " + config.key_file + " does not match the certificate " +
                           config.cert_file);
  }
  if (!config.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, config.client_ca_file.c_str(), nullptr) != 1) {
      return InvalidArgument("tls_server_config.client_ca_file: cannot load " + config.client_ca_file + ": " +
                             OpenSslError());
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(config.client_ca_file.c_str());
    if (names != nullptr) SSL_CTX_set_client_CA_list(ctx, names);
  }
  switch (config.client_auth_type) {
    case ClientAuthType::kNoClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
      break;
    case ClientAuthType::kRequestClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, AcceptAnyCertificate);
      break;
    case ClientAuthType::kRequireAnyClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, AcceptAnyCertificate);
      break;
    case ClientAuthType::kVerifyClientCertIfGiven:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
      break;
    case ClientAuthType::kRequireAndVerifyClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  return context;
}

TlsServerContext::~TlsServerContext() { SSL_CTX_free(ctx_); }

SSL* TlsServerContext::NewConnection(int sock) const {
  int flags = fcntl(sock, F_GETFL, 0);
  if (flags < 0 || fcntl(sock, F_SETFL, flags | O_NONBLOCK) < 0) return nullptr;
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr) return nullptr;
  if (SSL_set_fd(ssl, sock) != 1) {
    SSL_free(ssl);
    return nullptr;
  }
  return ssl;
}

bool TlsAccept(SSL* ssl, const TlsWait& wait) {
  return Drive(ssl, wait, [ssl] { return SSL_accept(ssl); }) > 0;
}

ssize_t TlsRead(SSL* ssl, char* buffer, size_t size, const TlsWait& wait) {
  const int chunk = static_cast<int>(std::min<size_t>(size, 1 << 30));
  return Drive(ssl, wait, [&] { return SSL_read(ssl, buffer, chunk); });
}

ssize_t TlsWrite(SSL* ssl, const char* buffer, size_t size, const TlsWait& wait) {
  if (size == 0) return 0;
  const int chunk = static_cast<int>(std::min<size_t>(size, 1 << 30));
  return Drive(ssl, wait, [&] { return SSL_write(ssl, buffer, chunk); });
}

void TlsClose(SSL* ssl) {
  if (ssl == nullptr) return;
  ERR_clear_error();
  if (SSL_is_init_finished(ssl)) SSL_shutdown(ssl);
  ERR_clear_error();
  SSL_free(ssl);
}

std::optional<std::string> VerifiedClientName(const httplib::Request& req) {
  const SSL* ssl = req.ssl;
  if (ssl == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return std::nullopt;
  const int mode = SSL_get_verify_mode(ssl);
  if ((mode & SSL_VERIFY_PEER) == 0 || SSL_get_verify_callback(ssl) == AcceptAnyCertificate) return std::nullopt;
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return std::nullopt;
  std::optional<std::string> name;
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans) && !name; ++i) {
    const GENERAL_NAME* san = sk_GENERAL_NAME_value(sans, i);
    if (san->type != GEN_DNS) continue;
    const ASN1_IA5STRING* dns = san->d.dNSName;
    name = std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                       static_cast<std::size_t>(ASN1_STRING_length(dns)));
  }
  if (sans != nullptr) GENERAL_NAMES_free(sans);
  if (!name) {
    X509_NAME* subject = X509_get_subject_name(cert);
    int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (index >= 0) {
      ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
      name = std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(cn)),
                         static_cast<std::size_t>(ASN1_STRING_length(cn)));
    }
  }
  X509_free(cert);
  if (name && (name->empty() || name->find('\0') != std::string::npos)) return std::nullopt;
  return name;
}

}  // namespace buildfarm
