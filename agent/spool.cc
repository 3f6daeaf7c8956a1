#include "agent/spool.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>

#include "common/file_reader.h"

namespace buildfarm::agent {

std::string SpoolToJson(const std::vector<PendingResult>& results) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : results) {
    list.push_back({{"job_id", r.job_id},
                    {"attempt", r.attempt},
                    {"exit_code", r.exit_code},
                    {"duration_seconds", r.duration_seconds},
                    {"error", r.error}});
  }
  // Error texts may hold bytes that are not UTF-8: U+FFFD in their place, rather than a throw.
  return nlohmann::json{{"results", list}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<std::vector<PendingResult>> SpoolFromJson(std::string_view text, std::string_view source) {
  try {
    auto doc = nlohmann::json::parse(text);
    std::vector<PendingResult> out;
    for (const auto& item : doc.at("results")) {
      PendingResult r;
      r.job_id = item.at("job_id").get<std::string>();
      r.attempt = item.at("attempt").get<std::int64_t>();
      r.exit_code = item.at("exit_code").get<int>();
      r.duration_seconds = item.at("duration_seconds").get<double>();
      r.error = item.value("error", "");
      out.push_back(std::move(r));
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    return ParseError(std::string(source) + ": " + e.what());
  }
}

Result<std::unique_ptr<ResultSpool>> ResultSpool::Open(const std::string& path) {
  std::unique_ptr<ResultSpool> spool(new ResultSpool(path));
  if (access(path.c_str(), F_OK) != 0) return spool;
  auto text = ReadFileCapped(path, 16 << 20);
  if (!text.ok()) return text.status();
  if (text->empty()) return spool;
  auto results = SpoolFromJson(*text, path);
  if (!results.ok()) return results.status();
  {
    MutexLock lock(spool->mu_);
    spool->results_ = std::move(results).value();
  }
  return spool;
}

Status ResultSpool::SaveLocked() const {
  std::string text = SpoolToJson(results_);
  std::string tmp = path_ + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError(tmp + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status s = IoError(tmp + ": " + std::strerror(errno));
      close(fd);
      return s;
    }
    done += static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) return IoError(tmp + ": " + std::strerror(errno));
  if (rename(tmp.c_str(), path_.c_str()) != 0) return IoError(path_ + ": " + std::strerror(errno));
  return Status::Ok();
}

Status ResultSpool::Add(const PendingResult& result) {
  MutexLock lock(mu_);
  bool replaced = false;
  for (auto& r : results_) {
    if (r.job_id == result.job_id && r.attempt == result.attempt) {
      r = result;
      replaced = true;
    }
  }
  if (!replaced) results_.push_back(result);
  return SaveLocked();
}

Status ResultSpool::Remove(const std::string& job_id, std::int64_t attempt) {
  MutexLock lock(mu_);
  auto before = results_.size();
  std::erase_if(results_, [&](const PendingResult& r) { return r.job_id == job_id && r.attempt == attempt; });
  if (results_.size() == before) return Status::Ok();
  return SaveLocked();
}

std::vector<PendingResult> ResultSpool::List() const {
  MutexLock lock(mu_);
  return results_;
}

bool ResultSpool::Contains(const std::string& job_id, std::int64_t attempt) const {
  MutexLock lock(mu_);
  for (const auto& r : results_) {
    if (r.job_id == job_id && r.attempt == attempt) return true;
  }
  return false;
}

}  // namespace buildfarm::agent
