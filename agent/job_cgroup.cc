#include "agent/job_cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <thread>

#include "common/file_reader.h"
#include "common/text.h"

namespace buildfarm::agent {
namespace {

// /proc/self/mounts escapes space, tab, newline and backslash as \ooo.
std::string UnescapeMountField(const std::string& field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      const std::string octal = field.substr(i + 1, 3);
      if (octal.find_first_not_of("01234567") == std::string::npos) {
        out.push_back(static_cast<char>(std::stoi(octal, nullptr, 8)));
        i += 3;
        continue;
      }
    }
    out.push_back(field[i]);
  }
  return out;
}

bool WriteSmallFile(const std::string& path, const char* text) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = write(fd, text, std::strlen(text)) == static_cast<ssize_t>(std::strlen(text));
  close(fd);
  return ok;
}

std::string WorkspaceKey(const std::string& workspace) {
  std::error_code ec;
  std::string canonical = std::filesystem::weakly_canonical(std::filesystem::absolute(workspace, ec), ec).string();
  if (canonical.empty()) canonical = workspace;
  std::uint64_t hash = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : canonical) hash = (hash ^ c) * 1099511628211ULL;
  char text[32];
  std::snprintf(text, sizeof text, "ws-%016llx", static_cast<unsigned long long>(hash));
  return text;
}

}  // namespace

Result<CgroupMode> ParseCgroupMode(const std::string& text) {
  if (text == "auto") return CgroupMode::kAuto;
  if (text == "required") return CgroupMode::kRequired;
  if (text == "off") return CgroupMode::kOff;
  return InvalidArgument("\"" + text + "\" is not one of auto, required, off");
}

Result<std::string> FindCgroup2Mount(const std::string& mounts_path) {
  auto text = ReadFileCapped(mounts_path);
  if (!text.ok()) return NotFound("no cgroup v2: " + mounts_path + ": " + text.status().message());
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string device, mount_point, type;
    if (fields >> device >> mount_point >> type && type == "cgroup2") return UnescapeMountField(mount_point);
  }
  return NotFound("no cgroup v2 file system is mounted (" + mounts_path + " has no cgroup2 entry)");
}

Result<std::string> OwnCgroup2Path(const std::string& proc_cgroup_path) {
  auto text = ReadFileCapped(proc_cgroup_path);
  if (!text.ok()) return NotFound(proc_cgroup_path + ": " + text.status().message());
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  }
  return NotFound(proc_cgroup_path + " has no cgroup v2 (0::) entry");
}

Result<std::string> PrepareJobCgroupRoot(const std::string& configured_root, const std::string& workspace,
                                         const std::string& mounts_path, const std::string& proc_cgroup_path) {
  std::string root = configured_root;
  if (root.empty()) {
    auto mount = FindCgroup2Mount(mounts_path);
    if (!mount.ok()) return mount.status();
    auto own = OwnCgroup2Path(proc_cgroup_path);
    if (!own.ok()) return own.status();
    std::string base = *mount + (*own == "/" ? "" : *own);
    root = base + "/buildfarm-jobs/" + WorkspaceKey(workspace);
  }
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) return IoError("cgroup " + root + ": " + ec.message());
  if (access((root + "/cgroup.procs").c_str(), W_OK) != 0) {
    return IoError("cgroup " + root + ": not a writable cgroup v2 directory (" + std::strerror(errno) + ")");
  }
  return root;
}

Status CreateJobCgroup(const std::string& dir) {
  if (mkdir(dir.c_str(), 0755) != 0) {
    if (errno != EEXIST) return IoError("cgroup " + dir + ": " + std::strerror(errno));
    SignalCgroup(dir, SIGKILL);  // a leftover of an earlier run of the same attempt
  }
  return Status::Ok();
}

std::vector<pid_t> CgroupPids(const std::string& dir) {
  std::vector<pid_t> pids;
  auto text = ReadFileCapped(dir + "/cgroup.procs");
  if (!text.ok()) return pids;
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    if (auto pid = text::ParseInt64(line); pid && *pid > 0) pids.push_back(static_cast<pid_t>(*pid));
  }
  return pids;
}

bool CgroupPopulated(const std::string& dir) {
  auto text = ReadFileCapped(dir + "/cgroup.events");
  if (!text.ok()) return !CgroupPids(dir).empty();
  return text->find("populated 1") != std::string::npos;
}

void SignalCgroup(const std::string& dir, int sig) {
  if (sig == SIGKILL && WriteSmallFile(dir + "/cgroup.kill", "1")) return;
  for (pid_t pid : CgroupPids(dir)) kill(pid, sig);
}

Status RemoveJobCgroup(const std::string& dir, double wait_seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_seconds);
  for (;;) {
    if (rmdir(dir.c_str()) == 0 || errno == ENOENT) return Status::Ok();
    if (errno != EBUSY) return IoError("cgroup " + dir + ": " + std::strerror(errno));
    if (std::chrono::steady_clock::now() >= deadline) return IoError("cgroup " + dir + ": processes left after SIGKILL");
    // Killing is asynchronous: the cgroup is busy until its last process has exited.
    SignalCgroup(dir, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int SweepJobCgroups(const std::string& root) {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
    if (!entry.is_directory(ec)) continue;
    if (RemoveJobCgroup(entry.path().string()).ok()) ++removed;
  }
  return removed;
}

Result<std::string> SetUpJobCgroups(CgroupMode mode, const std::string& configured_root, const std::string& workspace,
                                    const Logger& log, const std::string& mounts_path, const std::string& proc_cgroup_path) {
  if (mode == CgroupMode::kOff) return std::string();
  auto root = PrepareJobCgroupRoot(configured_root, workspace, mounts_path, proc_cgroup_path);
  if (!root.ok()) {
    if (mode == CgroupMode::kRequired) return root.status().WithContext("jobs.cgroup is required");
    log.Warn("no writable cgroup v2: jobs run in process groups only, and a job's processes that leave its group "
             "survive a kill -9 of the agent",
             {{"err", root.status().ToString()}});
    return std::string();
  }
  // Job cgroups left by an earlier run that was SIGKILLed, whose shepherds died too.
  const int swept = SweepJobCgroups(*root);
  log.Info("job cgroups ready", {{"root", *root}, {"leftovers_killed", std::to_string(swept)}});
  return root;
}

}  // namespace buildfarm::agent
