#include "common/git_publisher/secret_guard.h"

#include <algorithm>

#include "common/git_publisher/secret_scan.h"

namespace buildfarm::git_publisher {
namespace {

using namespace scan;  // NOLINT(google-build-using-namespace): the guard is written in these words

// What a finding names (SecretFinding::reason); kReasonNames lists them in the same order.
enum class Reason {
  kPassword,
  kGithubToken,
  kAwsAccessKeyId,
  kAwsSecretKey,
  kSlackToken,
  kPrivateKey,
  kLabelledToken,
  kUrlCredentials,
  kCommandLinePassword,
  kAuthorizationHeader,
  kJwt,
  kGitlabToken,
};
constexpr std::array<std::string_view, 12> kReasonNames = {
    "password",       "github_token",    "aws_access_key_id",     "aws_secret_key",       "slack_token", "private_key",
    "labelled_token", "url_credentials", "command_line_password", "authorization_header", "jwt",         "gitlab_token",
};

// Label words that mark a value as a credential when it looks random.
constexpr std::array<std::string_view, 6> kTokenLabels = {"access_key", "api_key", "apikey",
                                                          "secret",     "token",   "api-key"};
// Authorization schemes whose next word is the credential.
constexpr std::array<std::string_view, 4> kAuthSchemes = {"bearer", "basic", "token", "bot"};

std::size_t FindPrivateKeyMarker(std::string_view text, std::size_t from) {
  return std::min(text.find("PRIVATE KEY-----", from), text.size());
}

// Values that say there is no secret rather than being one. Reads the value only up to its first
// character that is not a mask, so overlapping values are not re-read.
bool IsPlaceholder(std::string_view value) {
  if (value.empty()) return true;
  if (value.front() == '$' && value.size() > 1) return true;     // $ENV, ${ENV}
  if (value.front() == '<' && value.back() == '>') return true;  // <your-password>
  auto is_mask = [](char c) { return c == '*' || c == 'x' || c == 'X' || c == '.'; };
  if (std::all_of(value.begin(), value.end(), is_mask)) return true;
  if (value.size() > 10) return false;
  std::string lower(value);
  for (char& c : lower) c = Lower(c);
  for (std::string_view word : {"null", "none", "~", "redacted", "[redacted]", "true", "false"}) {
    if (lower == word) return true;
  }
  return false;
}

struct Assignment {
  std::size_t value_start = 0;
  bool env_style = false;  // KEY=value: '=' right after the key, the value right after '='
};

// Past an optional quote at `at`, also the escaped one (\") of a JSON string inside a JSON string.
std::size_t SkipQuote(std::string_view text, std::size_t at) {
  if (at + 1 < text.size() && text[at] == '\\' && IsQuote(text[at + 1])) return at + 2;
  return at < text.size() && IsQuote(text[at]) ? at + 1 : at;
}

// After a key ending at `at`: an optional closing quote, blanks, ':' or '=', blanks and an optional
// opening quote. nullopt when no assignment follows the key.
std::optional<Assignment> AssignmentAfter(std::string_view text, std::size_t at) {
  const std::size_t sign = ScanTo<NotIn<IsBlank>>(text, SkipQuote(text, at));
  if (sign >= text.size() || (text[sign] != ':' && text[sign] != '=')) return std::nullopt;
  const std::size_t start = SkipQuote(text, ScanTo<NotIn<IsBlank>>(text, sign + 1));
  return Assignment{start, sign == at && text[sign] == '=' && start == sign + 1};
}

// The word (up to a blank, quote or line end) that starts at `at`.
std::string_view WordAt(std::string_view text, std::size_t at) {
  std::size_t end = at;
  while (end < text.size() && !IsBlank(text[end]) && !IsQuote(text[end]) && !IsLineEnd(text[end])) ++end;
  return text.substr(at, end - at);
}

// One pass over one text; see secret_scan.h for why every read past the current position goes
// through a CachedSearch or a checked-until mark.
class Scanner {
 public:
  explicit Scanner(std::string_view text)
      : text_(text),
        value_end_(text, ScanTo<IsValueEnd>),
        next_blank_(text, ScanTo<IsBlank>),
        after_blanks_(text, ScanTo<NotIn<IsBlank>>),
        key_end_(text, RunEnd<IsKeyChar>),
        word_end_(text, RunEnd<IsWordChar>),
        aws_value_end_(text, RunEnd<IsTokenChar>),
        token_labels_(text),
        line_end_(text, ScanTo<IsLineEnd>),
        private_marker_(text, FindPrivateKeyMarker),
        userinfo_end_(text, RunEnd<IsUserinfoChar>),
        url_users_(text),
        auth_credential_end_(text, RunEnd<IsTokenChar>),
        auth_non_letter_(text, ScanTo<NotIn<IsAlpha>>),
        bearers_(text),
        jwt_header_end_(text, RunEnd<IsBase64Url>),
        jwt_payload_end_(text, RunEnd<IsBase64Url>),
        jwt_signature_end_(text, RunEnd<IsBase64Url>) {}

  std::optional<SecretFinding> Run() {
    for (std::size_t i = 0; i < text_.size(); ++i) {
      if (auto reason = ShapeAt(i)) return SecretFinding{std::string(kReasonNames[static_cast<int>(*reason)]), i};
    }
    return std::nullopt;
  }

 private:
  bool WordStart(std::size_t at) const { return at == 0 || !IsWordChar(text_[at - 1]); }
  // An option on a command line starts after a blank, a quote or the line start.
  bool OptionStart(std::size_t at) const {
    return at == 0 || IsBlank(text_[at - 1]) || IsQuote(text_[at - 1]) || IsLineEnd(text_[at - 1]);
  }
  std::optional<Reason> ShapeAt(std::size_t i) {
    const char c = text_[i];
    switch (Lower(c)) {
      case 'p':
        if (StartsWithNoCaseAt(text_, i, "password") && PasswordAfter(i + 8)) return Reason::kPassword;
        break;
      case '_':  // DB_PASS=...
        if (StartsWithNoCaseAt(text_, i, "_pass") && (i + 5 == text_.size() || !IsWordChar(text_[i + 5])) &&
            PasswordAfter(i + 5)) {
          return Reason::kPassword;
        }
        break;
      case 'g':
        if (!WordStart(i)) break;
        if (auto reason = GitAt(i)) return reason;
        break;
      case 'a':
        if (c == 'A' && WordStart(i) && (StartsWithAt(text_, i, "AKIA") || StartsWithAt(text_, i, "ASIA")) &&
            CountUpTo<IsUpperAlnum>(text_, i + 4, 17) == 16) {
          return Reason::kAwsAccessKeyId;
        }
        if (StartsWithNoCaseAt(text_, i, "aws_secret") && AwsSecretAfterKeyAt(i)) return Reason::kAwsSecretKey;
        if (WordStart(i) && StartsWithNoCaseAt(text_, i, "authorization") && AuthorizationAfter(i + 13)) {
          return Reason::kAuthorizationHeader;
        }
        if (LabelledTokenAt(i)) return Reason::kLabelledToken;
        break;
      case 's':
        if (StartsWithNoCaseAt(text_, i, "secret_access_key") && AwsSecretAfterKeyAt(i)) return Reason::kAwsSecretKey;
        if (LabelledTokenAt(i)) return Reason::kLabelledToken;
        break;
      case 't':
        if (LabelledTokenAt(i)) return Reason::kLabelledToken;
        break;
      case 'x':
        if (c == 'x' && WordStart(i) && StartsWithAt(text_, i, "xox") && i + 4 < text_.size() &&
            std::string_view("abprs").find(text_[i + 3]) != std::string_view::npos && text_[i + 4] == '-' &&
            CountUpTo<IsSlackChar>(text_, i + 5, 10) == 10) {
          return Reason::kSlackToken;
        }
        break;
      case '-':
        if (StartsWithAt(text_, i, "-----BEGIN ") && private_marker_.From(i) < line_end_.From(i))
          return Reason::kPrivateKey;
        if (OptionStart(i) && CommandLinePasswordAt(i)) return Reason::kCommandLinePassword;
        break;
      case 'b':
        if (WordStart(i) && StartsWithNoCaseAt(text_, i, "bearer") && BearerAfter(i + 6))
          return Reason::kAuthorizationHeader;
        break;
      case 'e':
        if (c == 'e' && StartsWithAt(text_, i, "eyJ") && JwtAt(i)) return Reason::kJwt;
        break;
      case ':':
        if (UrlCredentialsAt(i)) return Reason::kUrlCredentials;
        break;
      case 'c':
        if (WordStart(i) && StartsWithAt(text_, i, "curl") && (i + 4 == text_.size() || !IsWordChar(text_[i + 4]))) {
          curl_line_ = true;
        }
        break;
      case '\n':
        if (i == 0 || text_[i - 1] != '\\') curl_line_ = false;  // a `\` continues the command
        break;
      default:
        break;
    }
    return std::nullopt;
  }

  bool LabelledTokenAt(std::size_t i) {
    for (std::string_view label : kTokenLabels) {
      if (Lower(text_[i]) == label.front() && StartsWithNoCaseAt(text_, i, label))
        return LabelledTokenAfter(i + label.size());
    }
    return false;
  }

  // After `password` or `_pass`: one word that is not a placeholder. In `KEY=value cmd` the value is the
  // first word; after `password:` a value of several words is prose ("password: see the wiki").
  bool PasswordAfter(std::size_t key_end) {
    auto assignment = AssignmentAfter(text_, key_end);
    if (!assignment) return false;
    const std::size_t start = assignment->value_start;
    const std::size_t end = value_end_.From(start);
    const std::size_t word_end = std::min(end, next_blank_.From(start));
    if (!assignment->env_style && word_end < end && after_blanks_.From(word_end) < end) return false;
    return !IsPlaceholder(text_.substr(start, word_end - start));
  }

  // Where the value assigned to the key that `key_end` finds the end of starts, the first time that
  // key is seen: every label inside one key (api_token, client_secret) gives the same key end and so
  // the same answer, so each key is judged once. nullopt when judged before or nothing is assigned.
  std::optional<std::size_t> ValueOfNewKey(CachedSearch& key_end, std::size_t* judged_until, std::size_t from) {
    const std::size_t end = key_end.From(from);
    if (end <= *judged_until) return std::nullopt;
    *judged_until = end;
    auto assignment = AssignmentAfter(text_, end);
    if (!assignment) return std::nullopt;
    return assignment->value_start;
  }

  // A random-looking value assigned to a key holding a token label.
  bool LabelledTokenAfter(std::size_t label_end) {
    auto value = ValueOfNewKey(key_end_, &token_keys_judged_until_, label_end);
    return value && token_labels_.RandomRunAt(*value);
  }

  bool AwsSecretAfterKeyAt(std::size_t i) {
    auto value = ValueOfNewKey(word_end_, &aws_keys_judged_until_, i);
    return value && aws_value_end_.From(*value) - *value == 40;
  }

  std::optional<Reason> GitAt(std::size_t i) {
    for (std::string_view prefix : {"ghp_", "gho_", "ghs_", "ghu_", "ghr_"}) {
      if (StartsWithAt(text_, i, prefix) && CountUpTo<IsAlnum>(text_, i + 4, 36) == 36) return Reason::kGithubToken;
    }
    if (StartsWithAt(text_, i, "github_pat_") && CountUpTo<IsWordChar>(text_, i + 11, 22) == 22)
      return Reason::kGithubToken;
    if (StartsWithAt(text_, i, "glpat-") && CountUpTo<IsBase64Url>(text_, i + 6, 20) == 20) return Reason::kGitlabToken;
    return std::nullopt;
  }

  // scheme://user:password@host, or scheme://TOKEN@host (a random-looking user name).
  bool UrlCredentialsAt(std::size_t i) {
    if (i == 0 || !IsAlnum(text_[i - 1]) || !StartsWithAt(text_, i, "://")) return false;
    const std::size_t user = i + 3;
    const std::size_t at = userinfo_end_.From(user);
    if (at == user || at >= text_.size() || text_[at] != '@') return false;
    const std::string_view userinfo = text_.substr(user, at - user);
    const std::size_t colon = userinfo.find(':');
    if (colon != std::string_view::npos) return !IsPlaceholder(userinfo.substr(colon + 1));
    return url_users_.LooksRandom(user, at);
  }

  // `curl -u user:password` / `curl --user user:password`, and `--password value` in any command.
  bool CommandLinePasswordAt(std::size_t i) {
    std::size_t option_end = 0;
    bool want_colon = false;
    if (StartsWithAt(text_, i, "--password")) {
      option_end = i + 10;
    } else if (curl_line_ && (StartsWithAt(text_, i, "-u") || StartsWithAt(text_, i, "--user"))) {
      option_end = i + (text_[i + 1] == 'u' ? 2 : 6);
      want_colon = true;
    } else {
      return false;
    }
    if (option_end >= text_.size() || !IsBlank(text_[option_end])) return false;
    const std::string_view value = WordAt(text_, SkipQuote(text_, ScanTo<NotIn<IsBlank>>(text_, option_end)));
    if (!want_colon) return !value.empty() && value.front() != '-' && !IsPlaceholder(value);
    const std::size_t colon = value.find(':');
    return colon != std::string_view::npos && !IsPlaceholder(value.substr(colon + 1));
  }

  // `Authorization: Bearer <credential>` (or Basic, token, Bot), as a header or a JSON/YAML field.
  bool AuthorizationAfter(std::size_t key_end) {
    auto assignment = AssignmentAfter(text_, key_end);
    if (!assignment) return false;
    const std::size_t scheme = assignment->value_start;
    const std::size_t scheme_end = scheme + CountUpTo<IsAlpha>(text_, scheme, 7);
    if (scheme_end >= text_.size() || !IsBlank(text_[scheme_end])) return false;
    std::string scheme_name(text_.substr(scheme, scheme_end - scheme));
    for (char& ch : scheme_name) ch = Lower(ch);
    if (std::find(kAuthSchemes.begin(), kAuthSchemes.end(), scheme_name) == kAuthSchemes.end()) return false;
    const std::size_t start = ScanTo<NotIn<IsBlank>>(text_, scheme_end);
    const std::size_t end = auth_credential_end_.From(start);
    // A word of letters only ("Bearer REPLACEME") is a stand-in, not a credential.
    return end - start >= 8 && auth_non_letter_.From(start) < end && !IsPlaceholder(text_.substr(start, end - start));
  }

  // `Bearer <random-looking token>` without the header name (curl -H "Bearer ...").
  bool BearerAfter(std::size_t word_end) {
    if (word_end >= text_.size() || !IsBlank(text_[word_end])) return false;
    return bearers_.RandomRunAt(ScanTo<NotIn<IsBlank>>(text_, word_end));
  }

  // header.payload.signature, base64url each, the header a JSON object ("eyJ" is `{"`).
  bool JwtAt(std::size_t i) {
    if (i > 0 && (IsBase64Url(text_[i - 1]) || text_[i - 1] == '.')) return false;
    constexpr std::size_t kMinPart = 10;
    const std::size_t header_end = jwt_header_end_.From(i);
    if (header_end - i < kMinPart || header_end >= text_.size() || text_[header_end] != '.') return false;
    const std::size_t payload_end = jwt_payload_end_.From(header_end + 1);
    if (payload_end - header_end - 1 < kMinPart || payload_end >= text_.size() || text_[payload_end] != '.') {
      return false;
    }
    return jwt_signature_end_.From(payload_end + 1) - payload_end - 1 >= kMinPart;
  }

  std::string_view text_;
  CachedSearch value_end_;
  CachedSearch next_blank_;
  CachedSearch after_blanks_;
  CachedSearch key_end_;
  CachedSearch word_end_;
  CachedSearch aws_value_end_;
  RandomnessProbe token_labels_;
  CachedSearch line_end_;
  CachedSearch private_marker_;
  CachedSearch userinfo_end_;
  RandomnessProbe url_users_;
  CachedSearch auth_credential_end_;
  CachedSearch auth_non_letter_;
  RandomnessProbe bearers_;
  CachedSearch jwt_header_end_;
  CachedSearch jwt_payload_end_;
  CachedSearch jwt_signature_end_;
  std::size_t token_keys_judged_until_ = 0;
  std::size_t aws_keys_judged_until_ = 0;
  bool curl_line_ = false;  // a curl command is on this line (-u is curl's user:password)
};

}  // namespace

std::optional<SecretFinding> FindLikelySecret(std::string_view text) { return Scanner(text).Run(); }

const std::vector<std::string>& SecretReasons() {
  static const std::vector<std::string> reasons(kReasonNames.begin(), kReasonNames.end());
  return reasons;
}

}  // namespace buildfarm::git_publisher
