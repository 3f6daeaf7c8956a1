#include "scheduler/server/web_assets.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>

#include "common/file_reader.h"
#include "scheduler/server/auth.h"

namespace buildfarm::scheduler {
namespace {

constexpr std::size_t kMaxAssetBytes = 4u << 20;

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
