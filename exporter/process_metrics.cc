#include "exporter/process_metrics.h"

#include <unistd.h>

#include <limits>
#include <tuple>

#include "common/file_reader.h"
#include "common/text.h"
#include "exporter/procfs/proc_stat_parser.h"

namespace buildfarm::exporter {

Result<ProcSelfStat> ParseProcSelfStat(std::string_view text) {
  // comm is in parentheses and may itself contain ") ", so the fields start after the last ')'.
  std::size_t close = text.rfind(')');
  if (close == std::string_view::npos) return ParseError("stat: no ')' closing the command name");
  auto fields = text::Fields(text::Trim(text.substr(close + 1)));
  // fields[0] is field 3 (state); field N of proc(5) is fields[N - 3].
  constexpr std::size_t kUtime = 14 - 3, kStime = 15 - 3, kStart = 22 - 3, kVsize = 23 - 3, kRss = 24 - 3;
  if (fields.size() <= kRss) return ParseError("stat: want at least 24 fields, got " + std::to_string(fields.size() + 2));
  ProcSelfStat stat;
  struct Target {
    std::size_t index;
    std::uint64_t* value;
  };
  for (Target target : {Target{kUtime, &stat.utime_ticks}, Target{kStime, &stat.stime_ticks},
                        Target{kStart, &stat.start_ticks}, Target{kVsize, &stat.virtual_bytes}}) {
    auto value = text::ParseUint64(fields[target.index]);
    if (!value) return ParseError("stat: field " + std::to_string(target.index + 3) + " is not an unsigned integer");
    *target.value = *value;
  }
  // rss is signed in the kernel's format; a negative count cannot happen for a live process.
  auto rss = text::ParseInt64(fields[kRss]);
  if (!rss || *rss < 0) return ParseError("stat: field 24 (rss) is not a page count");
  stat.resident_pages = static_cast<std::uint64_t>(*rss);
  return stat;
}

Result<ProcLimits> ParseProcLimits(std::string_view text) {
  ProcLimits limits;
  bool have_files = false, have_address_space = false;
  text::LineCursor lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    std::uint64_t* target = nullptr;
    std::string_view rest;
    for (auto [prefix, field, seen] : {std::tuple{std::string_view("Max open files"), &limits.max_open_files, &have_files},
                                       std::tuple{std::string_view("Max address space"),
                                                  &limits.max_address_space, &have_address_space}}) {
      if (line.substr(0, prefix.size()) == prefix) {
        target = field;
        rest = line.substr(prefix.size());
        *seen = true;
      }
    }
    if (target == nullptr) continue;
    auto fields = text::Fields(rest);
    if (fields.empty()) return ParseError("limits line " + std::to_string(lines.line_number()) + ": no soft limit");
    if (fields[0] == "unlimited") {
      *target = std::numeric_limits<std::uint64_t>::max();
      continue;
    }
    auto value = text::ParseUint64(fields[0]);
    if (!value) {
      return ParseError("limits line " + std::to_string(lines.line_number()) + ": soft limit is not a number");
    }
    *target = *value;
  }
  if (!have_files) return ParseError("limits: no \"Max open files\" line");
  if (!have_address_space) return ParseError("limits: no \"Max address space\" line");
  return limits;
}

Status AppendProcessMetrics(const ProcessMetricsSource& source, Families& out) {
  double ticks = source.ticks_per_second > 0 ? source.ticks_per_second : static_cast<double>(sysconf(_SC_CLK_TCK));
  double page = source.page_size > 0 ? source.page_size : static_cast<double>(sysconf(_SC_PAGESIZE));
  Status first_error = Status::Ok();
  auto remember = [&first_error](const Status& status) {
    if (first_error.ok()) first_error = status;
  };

  auto stat_text = ReadFileCapped(JoinPath(source.self_dir, "stat"), 64 * 1024);
  auto stat = stat_text.ok() ? ParseProcSelfStat(*stat_text) : Result<ProcSelfStat>(stat_text.status());
  if (stat.ok()) {
    AddSingle(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", kCounter,
              static_cast<double>(stat->utime_ticks + stat->stime_ticks) / ticks);
    AddSingle(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", kGauge,
              static_cast<double>(stat->virtual_bytes));
    AddSingle(out, "process_resident_memory_bytes", "Resident memory size in bytes.", kGauge,
              static_cast<double>(stat->resident_pages) * page);
    auto proc_stat_text = ReadFileCapped(source.proc_stat);
    auto proc_stat =
        proc_stat_text.ok() ? ParseProcStat(*proc_stat_text, ProcStatRequired::kCpuLine) : Result<ProcStat>(proc_stat_text.status());
    if (proc_stat.ok() && proc_stat->boot_time > 0) {
      AddSingle(out, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.", kGauge,
                static_cast<double>(proc_stat->boot_time) + static_cast<double>(stat->start_ticks) / ticks);
    } else {
      remember(proc_stat.ok() ? ParseError(source.proc_stat + ": no btime line") : proc_stat.status());
    }
  } else {
    remember(stat.status());
  }

  auto fds = ListDirectory(JoinPath(source.self_dir, "fd"));
  if (fds.ok()) {
    AddSingle(out, "process_open_fds", "Number of open file descriptors.", kGauge, static_cast<double>(fds->size()));
  } else {
    remember(fds.status());
  }

  auto limits_text = ReadFileCapped(JoinPath(source.self_dir, "limits"), 64 * 1024);
  auto limits = limits_text.ok() ? ParseProcLimits(*limits_text) : Result<ProcLimits>(limits_text.status());
  if (limits.ok()) {
    AddSingle(out, "process_max_fds", "Maximum number of open file descriptors.", kGauge,
              static_cast<double>(limits->max_open_files));
    AddSingle(out, "process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.", kGauge,
              static_cast<double>(limits->max_address_space));
  } else {
    remember(limits.status());
  }
  return first_error;
}

}  // namespace buildfarm::exporter
