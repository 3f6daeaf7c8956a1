#include "common/git_publisher/publish_settings.h"

#include "common/text.h"
#include "common/yaml_config.h"

namespace buildfarm::git_publisher {
namespace {

using yaml_config::CheckKeys;
using yaml_config::KeyError;
using yaml_config::ReadPositiveDuration;

// "Name <email>".
Status ParseAuthor(const std::string& text, std::string_view source, PublishSettings* out) {
  std::size_t open = text.find('<');
  std::size_t close = text.rfind('>');
  if (open == std::string::npos || close == std::string::npos || close < open + 2 || close + 1 != text.size()) {
    return KeyError(source, "publish.author", "want \"Name <email>\"");
  }
  std::string name = std::string(text::Trim(text.substr(0, open)));
  if (name.empty()) return KeyError(source, "publish.author", "the name is empty");
  out->author_name = name;
  out->author_email = text.substr(open + 1, close - open - 1);
  return Status::Ok();
}

}  // namespace

Status ParsePublishSettings(const YAML::Node& node, std::string_view source, const std::set<std::string>& extra_keys,
                            PublishSettings* out) {
  if (!node.IsMap()) return KeyError(source, "publish", "want a mapping");
  std::set<std::string> allowed = {"remote", "branch", "interval", "history_limit", "author", "state_dir", "ssh_key"};
  allowed.insert(extra_keys.begin(), extra_keys.end());
  BUILDFARM_RETURN_IF_ERROR(CheckKeys(node, allowed, source, "publish."));
  out->enabled = true;
  if (!node["remote"] || node["remote"].as<std::string>().empty()) return KeyError(source, "publish.remote", "required");
  out->remote = node["remote"].as<std::string>();
  if (UrlCarriesCredentials(out->remote)) {
    return KeyError(source, "publish.remote", "must not carry credentials (user:password@ or a token as user name); set GITHUB_TOKEN or use an SSH key");
  }
  if (node["branch"]) out->branch = node["branch"].as<std::string>();
  if (out->branch.empty()) return KeyError(source, "publish.branch", "empty");
  BUILDFARM_RETURN_IF_ERROR(ReadPositiveDuration(node["interval"], source, "publish.interval", &out->interval_seconds));
  if (node["history_limit"]) {
    out->history_limit = node["history_limit"].as<int>();
    if (out->history_limit < 0) return KeyError(source, "publish.history_limit", "want 0 (off) or a positive count");
    if (out->history_limit > 0 && (out->branch == "main" || out->branch == "master")) {
      return KeyError(source, "publish.branch",
                      "history_limit rewrites the branch; set a dedicated branch (e.g. status), not " + out->branch);
    }
  }
  if (node["author"]) BUILDFARM_RETURN_IF_ERROR(ParseAuthor(node["author"].as<std::string>(), source, out));
  if (node["state_dir"]) out->state_dir = node["state_dir"].as<std::string>();
  if (out->state_dir.empty()) return KeyError(source, "publish.state_dir", "empty");
  if (node["ssh_key"]) out->ssh_key = node["ssh_key"].as<std::string>();
  return Status::Ok();
}

// Here rather than in publisher.cc: the config parsers use it without linking libgit2.
bool UrlCarriesCredentials(std::string_view url) {
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return false;  // scp-like git@host:path names only a user
  const std::string_view scheme = url.substr(0, scheme_end);
  std::string_view authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find('/'));
  const std::size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return false;
  // ssh://git@host names a user; over HTTP(S) anything before @ is a credential (https://TOKEN@host).
  if (scheme == "http" || scheme == "https") return true;
  return authority.substr(0, at).find(':') != std::string_view::npos;
}

PublisherOptions ToPublisherOptions(const PublishSettings& settings) {
  PublisherOptions options;
  options.remote_url = settings.remote;
  options.branch = settings.branch;
  options.state_dir = settings.state_dir;
  options.author_name = settings.author_name;
  options.author_email = settings.author_email;
  options.history_limit = settings.history_limit;
  options.ssh_key_path = settings.ssh_key;
  return options;
}

}  // namespace buildfarm::git_publisher
