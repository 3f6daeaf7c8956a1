// CommandContext: what every build-cli command shares — output streams, the environment, the
// --url/--token/--json/--help flags, how the scheduler's URL and token are found, and the calls to
// the scheduler's API with its refusals turned into one-line messages and exit codes.
//
// Where the URL and token come from, per value: the --url/--token-file/--token flags, else BUILDFARM_URL /
// BUILDFARM_TOKEN, else the YAML file named by BUILDFARM_CONFIG (keys `url:`, `token_file:` and `token:`).
// For an https:// URL the same goes for the TLS files: --ca-file/--cert-file/--key-file, else
// BUILDFARM_CA_FILE, else `ca_file:`, `cert_file:` and `key_file:` in BUILDFARM_CONFIG (relative paths there
// are relative to that file); without a CA file the system's CA store verifies the scheduler.
//
// One CommandContext serves one command invocation on one thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/flags.h"
#include "common/http_client.h"
#include "common/status.h"
#include "cli/terminal.h"
#include "cli/values.h"

namespace buildfarm::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;  // the server said no, or could not be reached
inline constexpr int kExitUsage = 2;    // unknown command or flag, bad value, missing URL/token

// Reads an environment variable; nullopt when unset. Tests pass a map instead of the process's.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;
EnvLookup ProcessEnvironment();

struct Connection {
  std::string url;
  std::string token;
  TlsClientOptions tls;
};

// Resolves the URL and token with the precedence above. Errors (nothing set, unreadable or
// malformed config) say how to set the missing value; they are usage errors.
// `token_file_flag` (--token-file) wins over everything; its file, like a config's token_file:, must be
// readable by its owner alone.
Result<Connection> ResolveConnection(const std::string& url_flag, const std::string& token_flag,
                                     const EnvLookup& env, const std::string& token_file_flag = "",
                                     const TlsClientOptions& tls_flags = {});

// "job j1 is already completed (409)", "token rejected (401): set BUILDFARM_TOKEN or run
// ./deploy/quickstart.sh": the message printed for an HTTP error answer. `request` ("GET /api/v1/jobs/x")
// names what was not found when a 404 says nothing itself; `needed_role` is named on a 403.
std::string DescribeRefusal(int status, std::string_view body, std::string_view request = "",
                            std::string_view needed_role = "");

// The role the scheduler wants for a call (docs/api.md, Roles): admin for tokens and the audit log, viewer
// for other GETs, "operator or admin" for POSTs under /api/v1/jobs, "admin, or the agent token of the
// sending node" for POST /api/v1/messages, admin for the rest.
std::string NeededRole(std::string_view method, std::string_view path);

class CommandContext {
 public:
  CommandContext(std::ostream& out, std::ostream& err, EnvLookup env, TerminalInfo terminal = {});
  ~CommandContext();

  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }
  const EnvLookup& env() const { return env_; }
  bool json_output() const { return json_; }
  bool help() const { return help_; }
  const TerminalInfo& terminal() const { return terminal_; }
  // --color=always, or --color=auto (the default) with stdout a terminal and NO_COLOR unset or empty.
  bool color() const;
  // The width tables must fit: $COLUMNS when it is a positive number, else the terminal's; 0 = any.
  std::size_t width() const;
  // PrintTable on out() sized to width(), colored when color().
  void PrintTable(const std::vector<std::vector<std::string>>& rows);

  // --url, --token, --color, --help (and --json when `with_json`) bound to this context, so they may be
  // given before or after the command name.
  void AddCommonFlags(FlagSet& flags, bool with_json = true);

  // Prints "build-cli: error: MESSAGE" and a hint to stderr; returns kExitUsage.
  int UsageError(std::string_view message);
  // Prints "build-cli: MESSAGE" to stderr; returns kExitRefused.
  int Refused(std::string_view message);

  // Finds the URL and token and creates the client; an exit code when that fails.
  std::optional<int> Connect();
  HttpClient& client() { return *client_; }

  // One API call whose answer is JSON. On success stores the parsed body (null for an empty body)
  // and returns kExitOk; otherwise prints why and returns kExitRefused.
  int Call(const std::string& method, const std::string& path, const nlohmann::json* body,
           nlohmann::json* reply);
  // kExitOk when `response` is a 2xx answer; otherwise prints why (unreachable, refused) and
  // returns kExitRefused.
  int Check(const std::string& method, const std::string& path, const Result<HttpResponse>& response);

  // Prints JSON the way --json output looks: indented, newline-terminated.
  void PrintJson(const nlohmann::json& value);

 private:
  int Transport(const Status& status);

  std::ostream& out_;
  std::ostream& err_;
  EnvLookup env_;
  TerminalInfo terminal_;
  std::string url_;
  std::string url_flag_;
  std::string color_flag_ = "auto";
  std::string token_flag_;
  std::string token_file_flag_;
  TlsClientOptions tls_flags_;
  bool json_ = false;
  bool help_ = false;
  std::unique_ptr<HttpClient> client_;
};

// Small readers for fields of the scheduler's JSON that may be absent or of an odd type: they
// never throw, and give "" / 0 instead. Text() escapes control characters (EscapeNonPrintable,
// keeping newline and tab), so server data printed by a command cannot drive the terminal.
std::string Text(const nlohmann::json& object, std::string_view key);
double Number(const nlohmann::json& object, std::string_view key);

}  // namespace buildfarm::cli
