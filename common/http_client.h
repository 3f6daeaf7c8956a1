// HttpClient: JSON-over-HTTP calls to a buildfarm server with a bearer token and timeouts.
//
// Wraps cpp-httplib's client. One HttpClient may be used from one thread at a time (Abort() aside);
// create one per thread for concurrent calls. The token is sent in the Authorization header and never logged.
// https:// URLs verify the server's certificate (and host name) against TlsClientOptions::ca_file, or the
// system's CA store when none is given, and may present a client certificate (mTLS).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace buildfarm {

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string content_type;
};

struct ParsedUrl {
  std::string scheme;  // http or https
  std::string host;
  int port = 0;
  std::string path_prefix;  // without a trailing '/'
};

// "http://127.0.0.1:8080" or "https://sched.example/farm"; an error names what is wrong.
Result<ParsedUrl> ParseUrl(std::string_view url);

// The TLS side of a client; all empty means: verify against the system store, present no certificate.
struct TlsClientOptions {
  std::string ca_file;    // PEM bundle of the CAs that may sign the server's certificate
  std::string cert_file;  // client certificate (PEM), with key_file
  std::string key_file;
};

class HttpClient {
 public:
  // `base_url` as for ParseUrl; timeouts in seconds. `tls` applies to https:// URLs; its files must be
  // readable (the error names the one that is not); cert_file and key_file go together.
  static Result<std::unique_ptr<HttpClient>> Create(std::string_view base_url, std::string token,
                                                    double connect_timeout = 5, double read_timeout = 30,
                                                    double write_timeout = 30, const TlsClientOptions& tls = {});
  ~HttpClient();

  // Transport failures (refused, timed out) are Unavailable errors naming the URL; any HTTP status,
  // including 4xx and 5xx, is a successful call whose status the caller checks.
  Result<HttpResponse> Get(const std::string& path);
  Result<HttpResponse> Post(const std::string& path, const std::string& body,
                            const std::string& content_type = "application/json");
  // Streams a GET's body to `on_chunk` as it arrives; returning false from it stops the request.
  Result<int> GetStreaming(const std::string& path, const std::function<bool(std::string_view)>& on_chunk);

  void set_read_timeout(double seconds);
  // Shuts the open connection so that a call blocked in another thread returns (with an error).
  // The one method that may be called while another thread uses the client.
  void Abort();
  const std::string& base_url() const { return base_url_; }

 private:
  HttpClient() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string base_url_;
};

}  // namespace buildfarm
