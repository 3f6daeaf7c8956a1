#include "common/http_client.h"

#include <httplib.h>
#include <unistd.h>

#include "common/text.h"

namespace buildfarm {

struct HttpClient::Impl {
  std::unique_ptr<httplib::Client> client;
  ParsedUrl url;
  std::string token;
  std::string trust;  // "CA file PATH" or "the system CA store", for errors
};

Result<ParsedUrl> ParseUrl(std::string_view url) {
  ParsedUrl out;
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return InvalidArgument("URL \"" + std::string(url) + "\" has no scheme (want http://HOST:PORT)");
  out.scheme = std::string(url.substr(0, scheme_end));
  if (out.scheme != "http" && out.scheme != "https") {
    return InvalidArgument("URL \"" + std::string(url) + "\": scheme must be http or https");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) out.path_prefix = std::string(rest.substr(slash));
  while (!out.path_prefix.empty() && out.path_prefix.back() == '/') out.path_prefix.pop_back();
  auto colon = authority.rfind(':');
  bool bracketed = !authority.empty() && authority.front() == '[';
  if (colon != std::string_view::npos && (!bracketed || authority[colon - 1] == ']')) {
    auto port = text::ParseInt64(authority.substr(colon + 1));
    if (!port || *port <= 0 || *port > 65535) return InvalidArgument("URL \"" + std::string(url) + "\" has a bad port");
    out.port = static_cast<int>(*port);
    authority = authority.substr(0, colon);
  } else {
    out.port = out.scheme == "https" ? 443 : 80;
  }
  if (bracketed && authority.size() >= 2) authority = authority.substr(1, authority.size() - 2);
  if (authority.empty()) return InvalidArgument("URL \"" + std::string(url) + "\" has no host");
  out.host = std::string(authority);
  return out;
}

Result<std::unique_ptr<HttpClient>> HttpClient::Create(std::string_view base_url, std::string token,
                                                       double connect_timeout, double read_timeout,
                                                       double write_timeout, const TlsClientOptions& tls) {
  auto url = ParseUrl(base_url);
  if (!url.ok()) return url.status();
  const bool https = url->scheme == "https";
  if (https) {
    if (tls.cert_file.empty() != tls.key_file.empty()) {
      return InvalidArgument("a client certificate needs both cert_file and key_file");
    }
    for (const auto& [key, path] : {std::pair{"ca_file", tls.ca_file}, std::pair{"cert_file", tls.cert_file},
                                    std::pair{"key_file", tls.key_file}}) {
      if (!path.empty() && access(path.c_str(), R_OK) != 0) {
        return InvalidArgument(std::string(key) + " " + path + " cannot be read");
      }
    }
  }
  std::unique_ptr<HttpClient> client(new HttpClient());
  client->impl_ = std::make_unique<Impl>();
  client->impl_->url = *url;
  client->impl_->token = std::move(token);
  client->base_url_ = std::string(base_url);
  std::string origin = url->scheme + "://" + (url->host.find(':') != std::string::npos ? "[" + url->host + "]" : url->host) +
                       ":" + std::to_string(url->port);
  client->impl_->client = https && !tls.cert_file.empty()
                              ? std::make_unique<httplib::Client>(origin, tls.cert_file, tls.key_file)
                              : std::make_unique<httplib::Client>(origin);
  auto& c = *client->impl_->client;
  if (https) {
    c.enable_server_certificate_verification(true);
    if (!tls.ca_file.empty()) c.set_ca_cert_path(tls.ca_file);
    client->impl_->trust = tls.ca_file.empty() ? "the system CA store" : "CA file " + tls.ca_file;
  }
  c.set_connection_timeout(std::chrono::milliseconds(static_cast<long>(connect_timeout * 1000)));
  c.set_read_timeout(std::chrono::milliseconds(static_cast<long>(read_timeout * 1000)));
  c.set_write_timeout(std::chrono::milliseconds(static_cast<long>(write_timeout * 1000)));
  c.set_keep_alive(true);
  if (!client->impl_->token.empty()) c.set_bearer_token_auth(client->impl_->token);
  return client;
}

HttpClient::~HttpClient() = default;

void HttpClient::Abort() { impl_->client->stop(); }

void HttpClient::set_read_timeout(double seconds) {
  impl_->client->set_read_timeout(std::chrono::milliseconds(static_cast<long>(seconds * 1000)));
}

namespace {

// The transport error, with what to check for the TLS ones.
std::string DescribeError(httplib::Error error, const std::string& trust) {
  switch (error) {
    case httplib::Error::SSLServerVerification:
      return "TLS: the server's certificate does not verify against " + trust +
             " (wrong CA, expired, or not issued for this host name)";
    case httplib::Error::SSLConnection:
      return "TLS handshake failed (not a TLS server, no common protocol version, or the server refused "
             "this client's certificate)";
    case httplib::Error::SSLLoadingCerts:
      return "TLS: cannot load " + trust + " or the client certificate";
    case httplib::Error::Read:
    case httplib::Error::Write:
      // TLS 1.3 finishes the client's handshake before the server checks its certificate: a refusal
      // shows as the connection closing on the first request.
      if (!trust.empty()) {
        return httplib::to_string(error) + " (connection closed over TLS: the server may require a client "
                                           "certificate this client did not present, or refused it)";
      }
      return httplib::to_string(error);
    default:
      return httplib::to_string(error);
  }
}

Result<HttpResponse> Convert(const httplib::Result& result, const std::string& what, const std::string& trust) {
  if (!result) {
    return Unavailable(what + ": " + DescribeError(result.error(), trust));
  }
  HttpResponse response;
  response.status = result->status;
  response.body = result->body;
  response.content_type = result->get_header_value("Content-Type");
  return response;
}

}  // namespace

Result<HttpResponse> HttpClient::Get(const std::string& path) {
  std::string full = impl_->url.path_prefix + path;
  return Convert(impl_->client->Get(full), "GET " + base_url_ + path, impl_->trust);
}

Result<HttpResponse> HttpClient::Post(const std::string& path, const std::string& body, const std::string& content_type) {
  std::string full = impl_->url.path_prefix + path;
  return Convert(impl_->client->Post(full, body, content_type), "POST " + base_url_ + path, impl_->trust);
}

Result<int> HttpClient::GetStreaming(const std::string& path, const std::function<bool(std::string_view)>& on_chunk) {
  std::string full = impl_->url.path_prefix + path;
  auto result = impl_->client->Get(full, [&](const char* data, std::size_t length) {
    return on_chunk(std::string_view(data, length));
  });
  if (!result) {
    if (result.error() == httplib::Error::Canceled) return 200;
    return Unavailable("GET " + base_url_ + path + ": " + DescribeError(result.error(), impl_->trust));
  }
  return result->status;
}

}  // namespace buildfarm
