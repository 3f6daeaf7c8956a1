#include "scheduler/server/web_assets.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "common/file_reader.h"
#include "common/text.h"
#include "scheduler/server/auth.h"

namespace buildfarm::scheduler {
namespace {

constexpr std::size_t kMaxAssetBytes = 4u << 20;

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::vector<std::string_view> SplitOn(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    auto at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

// Compressible types only; an empty string when gzip fails or saves nothing.
std::string Gzip(std::string_view data) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return "";
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END || out.size() >= data.size()) return "";
  return out;
}

bool Compressible(std::string_view content_type) {
  return content_type.starts_with("text/") || content_type.starts_with("application/json") ||
         content_type.starts_with("image/svg+xml");
}

// A file name the folder may serve: no path separators and no leading dot.
bool ServableName(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace

std::string ContentTypeFor(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},  {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json"},              {".svg", "image/svg+xml"},
      {".png", "image/png"},                      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [suffix, type] : kTypes) {
    if (name.ends_with(suffix)) return std::string(type);
  }
  return "application/octet-stream";
}

WebAsset MakeWebAsset(std::string name, std::string body) {
  WebAsset asset;
  asset.content_type = ContentTypeFor(name);
  asset.name = std::move(name);
  const std::string digest = Sha256Hex(body).substr(0, 32);
  asset.etag = "\"" + digest + "\"";
  if (Compressible(asset.content_type)) asset.gzip_body = Gzip(body);
  if (!asset.gzip_body.empty()) asset.gzip_etag = "\"" + digest + "-gzip\"";
  asset.body = std::move(body);
  return asset;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  std::optional<bool> gzip;
  std::optional<bool> any;
  for (std::string_view entry : SplitOn(accept_encoding, ',')) {
    auto semicolon = entry.find(';');
    std::string coding = Lower(text::Trim(entry.substr(0, semicolon)));
    bool accepted = true;
    if (semicolon != std::string_view::npos) {
      for (std::string_view param : SplitOn(entry.substr(semicolon + 1), ';')) {
        param = text::Trim(param);
        if (param.size() < 2 || Lower(param.substr(0, 2)) != "q=") continue;
        std::string_view q = text::Trim(param.substr(2));
        // q=0, q=0.0, q=0.00, q=0.000 refuse; anything else (up to 1) accepts.
        accepted = !(q.starts_with("0") && q.find_first_not_of("0.") == std::string_view::npos);
      }
    }
    if (coding == "gzip" || coding == "x-gzip") gzip = accepted;
    if (coding == "*") any = accepted;
  }
  return gzip.value_or(any.value_or(false));
}

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  auto opaque = [](std::string_view tag) {
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    return tag;
  };
  const std::string_view wanted = opaque(etag);
  std::string_view rest = text::Trim(if_none_match);
  if (rest == "*") return true;
  while (!rest.empty()) {
    rest = text::Trim(rest);
    if (rest.starts_with(",")) {
      rest.remove_prefix(1);
      continue;
    }
    if (rest.starts_with("W/")) rest.remove_prefix(2);
    if (!rest.starts_with("\"")) return false;
    auto close = rest.find('"', 1);
    if (close == std::string_view::npos) return false;
    if (rest.substr(0, close + 1) == wanted) return true;
    rest.remove_prefix(close + 1);
  }
  return false;
}

WebAssets WebAssets::Embedded() {
  WebAssets assets;
  for (const EmbeddedWebFile& file : EmbeddedWebFiles()) {
    assets.embedded_[std::string(file.name)] =
        std::make_shared<const WebAsset>(MakeWebAsset(std::string(file.name), std::string(file.bytes)));
  }
  return assets;
}

Result<WebAssets> WebAssets::FromDirectory(const std::string& dir) {
  auto index = ReadFileCapped(JoinPath(dir, "index.html"), kMaxAssetBytes);
  if (!index.ok()) return InvalidArgument("flag --web.assets-dir: " + index.status().message());
  WebAssets assets;
  assets.dir_ = dir;
  return assets;
}

std::shared_ptr<const WebAsset> WebAssets::Find(std::string_view path) const {
  if (path.starts_with("/")) path.remove_prefix(1);
  std::string name = path.empty() ? "index.html" : std::string(path);
  if (!ServableName(name)) return nullptr;
  if (dir_.empty()) {
    auto it = embedded_.find(name);
    return it == embedded_.end() ? nullptr : it->second;
  }
  auto body = ReadFileCapped(JoinPath(dir_, name), kMaxAssetBytes);
  if (!body.ok()) return nullptr;
  return std::make_shared<const WebAsset>(MakeWebAsset(std::move(name), std::move(body).value()));
}

}  // namespace buildfarm::scheduler
