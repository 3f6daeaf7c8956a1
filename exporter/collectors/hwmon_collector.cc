// The hwmon collector's I/O half: finds the chips, keeps their sensor files open, and hands the
// contents to BuildHwmonSeries (hwmon.cc).
//
// Why a cached layout: a chip's set of attribute files does not change while it exists, and
// listing directories, resolving links and opening ~30 files per chip on every scrape costs far more
// than reading them. The layout (chip names and open descriptors) is rebuilt after kLayoutMaxAge,
// or at the next scrape after any read fails (a chip went away). Scrapes share a layout through a
// shared_ptr, so descriptors are closed only when no scrape still reads them; pread() keeps
// concurrent reads of one descriptor independent.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <memory>
#include <unordered_map>

#include "common/file_reader.h"
#include "common/mutex.h"
#include "exporter/collectors/hwmon.h"

namespace buildfarm::exporter {
namespace {

constexpr std::size_t kMaxSensorFileBytes = 4096;       // sysfs attributes are at most a page
constexpr auto kLayoutMaxAge = std::chrono::seconds(60);  // picks up hot-plugged chips
constexpr std::size_t kMaxOpenFiles = 512;              // beyond this, files are opened per read

struct SensorFile {
  std::string sensor;   // "temp1"
  std::string element;  // "input"
  std::string path;
  int fd = -1;          // -1: open on every read
};

struct Chip {
  std::string chip;       // the chip label
  std::string chip_name;  // cleaned name file, "" when absent
  std::vector<SensorFile> files;
};

struct Layout {
  std::vector<Chip> chips;
  std::chrono::steady_clock::time_point built;
  mutable std::atomic<bool> stale{false};
  ~Layout() {
    for (auto& chip : chips) {
      for (auto& file : chip.files) {
        if (file.fd >= 0) ::close(file.fd);
      }
    }
  }
};

// True for errors that mean the file or its device is gone (so the layout is out of date), as
// opposed to a device that is present but cannot answer right now (EIO, EAGAIN).
bool MeansGone(int err) { return err == ENODEV || err == ENXIO || err == ENOENT || err == ESTALE || err == EBADF; }

// Reads a whole attribute in one call; nullopt when unreadable or implausibly large. Sets `gone`
// when the failure means the layout must be rescanned.
std::optional<std::string> ReadAttribute(const SensorFile& file, bool& gone) {
  char buffer[kMaxSensorFileBytes];
  ssize_t n;
  int err = 0;
  if (file.fd >= 0) {
    do n = ::pread(file.fd, buffer, sizeof buffer, 0); while (n < 0 && errno == EINTR);
    err = n < 0 ? errno : 0;
  } else {
    int fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      gone = gone || MeansGone(errno);
      return std::nullopt;
    }
    do n = ::read(fd, buffer, sizeof buffer); while (n < 0 && errno == EINTR);
    err = n < 0 ? errno : 0;
    ::close(fd);
  }
  if (n < 0) gone = gone || MeansGone(err);
  if (n < 0 || static_cast<std::size_t>(n) >= sizeof buffer) return std::nullopt;
  std::string_view text(buffer, static_cast<std::size_t>(n));
  // Only the kernel's newline goes; other whitespace stays, as node_exporter keeps it.
  while (!text.empty() && text.front() == '\n') text.remove_prefix(1);
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  return std::string(text);
}

std::optional<std::string> RealPath(const std::string& path) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) return std::nullopt;
  return std::string(resolved);
}

bool IsDirectory(const std::string& path) {  // follows links
  struct stat info{};
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

Status ListSensorFiles(const std::string& dir, std::vector<SensorFile>& out) {
  auto names = ListDirectory(dir);
  if (!names.ok()) return names.status();
  for (const std::string& file_name : *names) {
    auto file = ParseHwmonFileName(file_name);
    if (!file || !IsHwmonSensorType(file->type)) continue;
    out.push_back({file->type + std::to_string(file->number), file->property, JoinPath(dir, file_name), -1});
  }
  return Status::Ok();
}

std::optional<std::string> ReadSmallFile(const std::string& path) {
  auto text = ReadFileCapped(path, kMaxSensorFileBytes);
  if (!text.ok()) return std::nullopt;
  return std::move(text).value();
}

// node_exporter's preference: the device link, then the name file, then the hwmonN directory.
Result<std::string> ChipLabel(const std::string& dir) {
  if (auto device = RealPath(JoinPath(dir, "device"))) {
    std::string chip = HwmonChipFromDevicePath(*device);
    if (!chip.empty()) return chip;
  }
  if (auto name = ReadSmallFile(JoinPath(dir, "name")); name && !name->empty()) {
    std::string chip = CleanHwmonName(*name);
    if (!chip.empty()) return chip;
  }
  auto real = RealPath(dir);
  if (!real) return NotFound("hwmon: cannot resolve " + dir);
  std::string chip = CleanHwmonName(real->substr(real->rfind('/') + 1));
  if (chip.empty()) return ParseError("hwmon: could not derive a chip name for " + dir);
  return chip;
}

Result<std::shared_ptr<const Layout>> BuildLayout(const std::string& class_dir) {
  auto entries = ListDirectory(class_dir);
  if (!entries.ok()) return entries.status();
  auto layout = std::make_shared<Layout>();
  layout->built = std::chrono::steady_clock::now();
  std::size_t open_files = 0;
  for (const std::string& entry : *entries) {
    std::string dir = JoinPath(class_dir, entry);
    struct stat info{};
    if (::stat(dir.c_str(), &info) != 0) return IoError("hwmon: cannot stat " + dir + " (dangling link?)");
    if (!S_ISDIR(info.st_mode)) continue;
    auto label = ChipLabel(dir);
    if (!label.ok()) return label.status();
    Chip chip;
    chip.chip = std::move(label).value();
    if (auto name = ReadSmallFile(JoinPath(dir, "name"))) chip.chip_name = CleanHwmonName(*name);
    BUILDFARM_RETURN_IF_ERROR(ListSensorFiles(dir, chip.files));
    // Old drivers keep their attributes in the device directory.
    if (std::string device_dir = JoinPath(dir, "device"); IsDirectory(device_dir)) {
      BUILDFARM_RETURN_IF_ERROR(ListSensorFiles(device_dir, chip.files));
    }
    // Only regular attribute files: a "power" directory matches the name pattern too.
    std::erase_if(chip.files, [](const SensorFile& file) {
      struct stat file_info{};
      return ::stat(file.path.c_str(), &file_info) != 0 || !S_ISREG(file_info.st_mode);
    });
    for (SensorFile& file : chip.files) {
      if (open_files >= kMaxOpenFiles) break;
      file.fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (file.fd >= 0) ++open_files;
    }
    layout->chips.push_back(std::move(chip));
  }
  return std::shared_ptr<const Layout>(std::move(layout));
}

class HwmonCollector : public Collector {
 public:
  explicit HwmonCollector(std::string class_dir) : class_dir_(std::move(class_dir)) {}
  std::string_view name() const override { return "hwmon"; }

  Status Collect(Families& out) override {
    auto layout = CurrentLayout();
    if (!layout.ok()) return layout.status();
    std::unordered_map<std::string, std::size_t> family_index;
    Families families;
    auto add = [&](const std::string& name, const std::string& help, bool counter,
                   // By value: the label strings are moved out below (clang-tidy 14 misses moves through
                   // structured bindings).
                   std::vector<std::pair<std::string, std::string>> labels,  // NOLINT(performance-unnecessary-value-param)
                   double value) {
      auto [it, inserted] = family_index.try_emplace(name, families.size());
      if (inserted) AddFamily(families, name, help, counter ? kCounter : kGauge);
      std::vector<prometheus::ClientMetric::Label> converted;
      converted.reserve(labels.size());
      for (auto& [label, label_value] : labels) converted.push_back({std::move(label), std::move(label_value)});
      AddSample(families[it->second], std::move(converted), value);
    };
    for (const Chip& chip : (*layout)->chips) {
      if (!chip.chip_name.empty()) {
        add("node_hwmon_chip_names", "Annotation metric for human-readable chip names", false,
            {{"chip", chip.chip}, {"chip_name", chip.chip_name}}, 1);
      }
      HwmonSensorData data;
      for (const SensorFile& file : chip.files) {
        bool gone = false;
        auto content = ReadAttribute(file, gone);
        // Unreadable attributes (EIO from a sleeping device) are skipped, as node_exporter skips
        // them; a chip that went away triggers a rescan at the next scrape.
        if (gone) (*layout)->stale.store(true);
        if (!content) continue;
        data[file.sensor][file.element] = std::move(*content);
      }
      for (HwmonSeries& series : BuildHwmonSeries(chip.chip, data)) {
        add(series.name, series.help, series.counter, std::move(series.labels), series.value);
      }
    }
    for (auto& family : families) out.push_back(std::move(family));
    return Status::Ok();
  }

 private:
  Result<std::shared_ptr<const Layout>> CurrentLayout() {
    MutexLock lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    if (!layout_ || layout_->stale.load() || now - layout_->built > kLayoutMaxAge) {
      layout_.reset();
      auto built = BuildLayout(class_dir_);
      if (!built.ok()) return built.status();
      layout_ = std::move(built).value();
    }
    return layout_;
  }

  std::string class_dir_;
  Mutex mutex_;
  std::shared_ptr<const Layout> layout_ GUARDED_BY(mutex_);
};

}  // namespace

CollectorSpec MakeHwmonSpec() {
  CollectorSpec spec;
  spec.name = "hwmon";
  spec.create = [](const CollectorEnv& env) -> Result<std::unique_ptr<Collector>> {
    return std::unique_ptr<Collector>(std::make_unique<HwmonCollector>(env.paths.Sys("class/hwmon")));
  };
  return spec;
}

}  // namespace buildfarm::exporter
