#include "exporter/collectors/filesystem.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "tests/exporter/collectors/collector_test_util.h"

namespace buildfarm::exporter {
namespace {

using namespace std::chrono_literals;

LabelMap Mount(std::string device, std::string fstype, std::string mountpoint) {
  return {{"device", std::move(device)}, {"fstype", std::move(fstype)}, {"mountpoint", std::move(mountpoint)}};
}

std::size_t SampleCount(const Families& families, const std::string& name) {
  const auto* family = FindFamily(families, name);
  return family == nullptr ? 0 : family->metric.size();
}

const Logger& Quiet() {
  static const Logger quiet(LogLevel::kError);
  return quiet;
}

Result<Families> CollectOnce(Collector& collector) {
  Families out;
  Status status = collector.Collect(out);
  if (!status.ok()) return status;
  return out;
}

TEST(FilesystemCollector, ExportsFixtureMountsLikeNodeExporter) {
  auto families = CollectFromFixtures(MakeFilesystemSpec());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  const Families& f = *families;

  // Kept: /, /boot (listed twice, exported once), /boot/efi, /srv/ro, /srv/sbro, /srv/with space,
  // /home/build, /srv/missing. Excluded: /dev, /proc, /sys/fs/cgroup, /mnt/usb (mount point),
  // /opt/tool (squashfs).
  EXPECT_EQ(SampleCount(f, "node_filesystem_device_error"), 8u);
  EXPECT_EQ(SampleCount(f, "node_filesystem_readonly"), 7u);    // not for the missing one
  EXPECT_EQ(SampleCount(f, "node_filesystem_size_bytes"), 7u);
  for (const char* excluded : {"/dev", "/proc", "/sys/fs/cgroup", "/mnt/usb", "/opt/tool"}) {
    for (const auto& metric : FindFamily(f, "node_filesystem_device_error")->metric) {
      for (const auto& label : metric.label) EXPECT_NE(label.value, excluded);
    }
  }

  EXPECT_EQ(SampleValue(f, "node_filesystem_readonly", Mount("/dev/sda1", "ext4", "/")), 0);
  EXPECT_EQ(SampleValue(f, "node_filesystem_readonly", Mount("/dev/sda3", "ext4", "/srv/ro")), 1);
  EXPECT_EQ(SampleValue(f, "node_filesystem_readonly", Mount("/dev/sda4", "xfs", "/srv/sbro")), 1);
  EXPECT_EQ(SampleValue(f, "node_filesystem_device_error", Mount("tmp\\040fs", "tmpfs", "/srv/with space")), 0);
  EXPECT_EQ(SampleValue(f, "node_filesystem_device_error", Mount("server:/export/build", "nfs4", "/home/build")), 0);
  EXPECT_EQ(SampleValue(f, "node_filesystem_device_error", Mount("/dev/sdc1", "ext4", "/srv/missing")), 1);
  EXPECT_EQ(FindSample(f, "node_filesystem_readonly", Mount("/dev/sdc1", "ext4", "/srv/missing")), nullptr);
  EXPECT_EQ(FindSample(f, "node_filesystem_avail_bytes", Mount("/dev/sdc1", "ext4", "/srv/missing")), nullptr);

  // Values are statfs of <rootfs>/<mountpoint>.
  auto direct = SystemStatfs(FixturePaths().Root("/boot/efi"));
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(SampleValue(f, "node_filesystem_size_bytes", Mount("/dev/sda5", "vfat", "/boot/efi")),
            static_cast<double>(direct->blocks) * static_cast<double>(direct->block_size));
  EXPECT_EQ(SampleValue(f, "node_filesystem_files", Mount("/dev/sda5", "vfat", "/boot/efi")),
            static_cast<double>(direct->files));
  EXPECT_GT(SampleValue(f, "node_filesystem_size_bytes", Mount("/dev/sda2", "ext4", "/boot")), 0);
}

TEST(FilesystemCollector, ExclusionFlagsCanBeChanged) {
  CollectorSpec spec = MakeFilesystemSpec();
  FlagSet flags("test", "");
  spec.add_flags(flags);
  const char* argv[] = {"test", "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|srv)($|/)",
                        "--collector.filesystem.fs-types-exclude=^(proc|devtmpfs|cgroup2|vfat)$",
                        "--collector.filesystem.mount-timeout=300ms"};
  ASSERT_TRUE(flags.Parse(4, argv).ok());
  auto families = CollectFrom(std::move(spec), FixturePaths());
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  std::set<std::string> mountpoints;
  for (const auto& metric : FindFamily(*families, "node_filesystem_device_error")->metric) {
    for (const auto& label : metric.label) {
      if (label.name == "mountpoint") mountpoints.insert(label.value);
    }
  }
  EXPECT_EQ(mountpoints, (std::set<std::string>{"/", "/boot", "/home/build", "/opt/tool"}));
}

TEST(FilesystemCollector, InvalidExclusionRegexNamesTheFlag) {
  FilesystemOptions options;
  options.fs_types_exclude = "^(unclosed";
  auto collector = MakeFilesystemCollector(FixturePaths(), options, SystemStatfs);
  ASSERT_FALSE(collector.ok());
  EXPECT_NE(collector.status().message().find("--collector.filesystem.fs-types-exclude"), std::string::npos);
}

TEST(FilesystemCollector, FallsBackToSelfMountinfoAndStripsRootfs) {
  testing::TempDir dir;
  HostPaths paths = HostPathsIn(dir);
  dir.MakeDir("rootfs/data");
  // A mount point that already carries the rootfs prefix is reported without it, as node_exporter does.
  dir.WriteFile("proc/self/mountinfo",
                "1 0 8:1 / " + paths.rootfs + "/data rw - ext4 /dev/sdx rw\n2 0 8:2 / /data rw - ext4 /dev/sdy rw\n");
  auto families = CollectFrom(MakeFilesystemSpec(), paths);
  ASSERT_TRUE(families.ok()) << families.status().ToString();
  EXPECT_EQ(SampleValue(*families, "node_filesystem_device_error", Mount("/dev/sdx", "ext4", "/data")), 0);
  EXPECT_EQ(SampleValue(*families, "node_filesystem_device_error", Mount("/dev/sdy", "ext4", "/data")), 0);
}

TEST(FilesystemCollector, FailsOnBadMountinfoNamingFileAndLine) {
  for (const std::string& bad : {std::string(""), std::string("1 0 8:1 / / rw - ext4 /dev/a rw\ngarbled line\n"),
                                 std::string("1 0 8:1 / / rw - ext4")}) {
    testing::TempDir dir;
    dir.WriteFile("proc/1/mountinfo", bad);
    auto families = CollectFrom(MakeFilesystemSpec(), HostPathsIn(dir));
    ASSERT_FALSE(families.ok()) << bad;
    EXPECT_NE(families.status().message().find("1/mountinfo"), std::string::npos) << families.status().message();
  }
  testing::TempDir dir;
  dir.WriteFile("proc/1/mountinfo", "1 0 8:1 / / rw - ext4 /dev/a rw\n2 0 8:2 / /x\n");
  auto families = CollectFrom(MakeFilesystemSpec(), HostPathsIn(dir));
  ASSERT_FALSE(families.ok());
  EXPECT_NE(families.status().message().find("line 2"), std::string::npos) << families.status().message();

  testing::TempDir empty;
  empty.MakeDir("proc");
  EXPECT_FALSE(CollectFrom(MakeFilesystemSpec(), HostPathsIn(empty)).ok());
}

TEST(FilesystemCollector, FollowsMountinfoChanges) {
  testing::TempDir dir;
  dir.MakeDir("rootfs/a");
  dir.MakeDir("rootfs/b");
  dir.WriteFile("proc/1/mountinfo", "1 0 8:1 / /a rw - ext4 /dev/a rw\n");
  auto collector = MakeFilesystemCollector(HostPathsIn(dir), FilesystemOptions{}, SystemStatfs);
  ASSERT_TRUE(collector.ok());
  auto first = CollectOnce(**collector);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(SampleCount(*first, "node_filesystem_size_bytes"), 1u);
  dir.WriteFile("proc/1/mountinfo", "1 0 8:1 / /a rw - ext4 /dev/a rw\n2 0 8:2 / /b ro - ext4 /dev/b rw\n");
  auto second = CollectOnce(**collector);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(SampleCount(*second, "node_filesystem_size_bytes"), 2u);
  EXPECT_EQ(SampleValue(*second, "node_filesystem_readonly", Mount("/dev/b", "ext4", "/b")), 1);
}

// THE stuck mount: statfs on /home/build blocks until released, like a dead NFS server.
struct HangingStat {
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
  std::atomic<int> calls{0};
};

TEST(FilesystemCollector, StuckMountCostsAtMostTheTimeoutAndIsNotRetriedUntilItReturns) {
  auto hang = std::make_shared<HangingStat>();
  StatFunction stat = [hang](const std::string& path) -> Result<StatfsValues> {
    if (path.size() >= 11 && path.compare(path.size() - 11, 11, "/home/build") == 0) {
      ++hang->calls;
      std::unique_lock lock(hang->mu);
      hang->cv.wait(lock, [&] { return hang->released; });
    }
    return SystemStatfs(path);
  };
  FilesystemOptions options;
  options.mount_timeout_seconds = 0.2;
  auto collector = MakeFilesystemCollector(FixturePaths(), options, stat, &Quiet());
  ASSERT_TRUE(collector.ok()) << collector.status().ToString();
  const LabelMap stuck = Mount("server:/export/build", "nfs4", "/home/build");
  const LabelMap healthy = Mount("/dev/sda2", "ext4", "/boot");

  // First scrape: waits for the mount timeout, not for the hung call.
  auto start = std::chrono::steady_clock::now();
  auto first = CollectOnce(**collector);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(SampleValue(*first, "node_filesystem_device_error", stuck), 1);
  EXPECT_EQ(FindSample(*first, "node_filesystem_size_bytes", stuck), nullptr);
  EXPECT_EQ(FindSample(*first, "node_filesystem_readonly", stuck), nullptr);
  EXPECT_EQ(SampleValue(*first, "node_filesystem_device_error", healthy), 0);
  EXPECT_GT(SampleValue(*first, "node_filesystem_size_bytes", healthy), 0);
  EXPECT_EQ(SampleCount(*first, "node_filesystem_size_bytes"), 6u);

  // Second scrape while still stuck: no new call, and no waiting for it.
  start = std::chrono::steady_clock::now();
  auto second = CollectOnce(**collector);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(SampleValue(*second, "node_filesystem_device_error", stuck), 1);
  EXPECT_EQ(SampleValue(*second, "node_filesystem_device_error", healthy), 0);
  EXPECT_EQ(hang->calls.load(), 1);

  {
    std::lock_guard lock(hang->mu);
    hang->released = true;
  }
  hang->cv.notify_all();

  // After the call returns, the mount comes back.
  double error = 1;
  for (int i = 0; i < 100 && error != 0; ++i) {
    auto again = CollectOnce(**collector);
    ASSERT_TRUE(again.ok());
    error = SampleValue(*again, "node_filesystem_device_error", stuck);
    if (error != 0) std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(error, 0);
  EXPECT_EQ(hang->calls.load(), 2);
}

}  // namespace
}  // namespace buildfarm::exporter
