#include "exporter/procfs/proc_stat_parser.h"

#include <string>

#include "common/text.h"

namespace buildfarm::exporter {
namespace {

// Walks the space-separated fields of one line without allocating.
class FieldCursor {
 public:
  explicit FieldCursor(std::string_view line) : line_(line) {}

  bool Next(std::string_view& field) {
    while (pos_ < line_.size() && IsSpace(line_[pos_])) ++pos_;
    if (pos_ >= line_.size()) return false;
    std::size_t start = pos_;
    while (pos_ < line_.size() && !IsSpace(line_[pos_])) ++pos_;
    field = line_.substr(start, pos_ - start);
    return true;
  }

 private:
  static bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }
  std::string_view line_;
  std::size_t pos_ = 0;
};

Status LineError(std::size_t line_no, std::string_view what) {
  return ParseError("line " + std::to_string(line_no) + ": " + std::string(what));
}

// Reads up to `count` numbers into `out`; fewer columns are fine (older kernels write fewer),
// a column that is not a number is not.
Status ReadNumbers(FieldCursor& fields, std::uint64_t* const* out, std::size_t count, std::size_t line_no,
                   std::string_view key, std::size_t* columns_read = nullptr) {
  std::string_view field;
  std::size_t i = 0;
  for (; i < count && fields.Next(field); ++i) {
    auto v = text::ParseUint64(field);
    if (!v) return LineError(line_no, std::string(key) + " column " + std::to_string(i + 1) + " is not a number");
    *out[i] = *v;
  }
  if (columns_read != nullptr) *columns_read = i;
  return Status::Ok();
}

Status ReadCpuLine(std::string_view key, FieldCursor& fields, std::size_t line_no, ProcStat& stat, bool& saw_total) {
  CpuTicks ticks;
  std::uint64_t* columns[] = {&ticks.user,    &ticks.nice,  &ticks.system, &ticks.idle,  &ticks.iowait,
                              &ticks.irq,     &ticks.softirq, &ticks.steal, &ticks.guest, &ticks.guest_nice};
  std::size_t columns_read = 0;
  BUILDFARM_RETURN_IF_ERROR(ReadNumbers(fields, columns, std::size(columns), line_no, key, &columns_read));
  if (key.size() == 3) {
    stat.total = ticks;
    stat.total_columns = columns_read;
    saw_total = true;
    return Status::Ok();
  }
  auto id = text::ParseUint64(key.substr(3));
  if (!id) return LineError(line_no, "bad CPU name");
  if (*id > kMaxCpuId) return LineError(line_no, "CPU id out of range");
  if (stat.cpus.size() <= *id) stat.cpus.resize(*id + 1);
  stat.cpus[*id] = ticks;
  ++stat.cpu_lines;
  return Status::Ok();
}

Status ReadSingle(FieldCursor& fields, std::uint64_t& out, std::size_t line_no, std::string_view key) {
  std::string_view field;
  fields.Next(field);  // callers only get here for lines with at least two fields
  auto v = text::ParseUint64(field);
  if (!v) return LineError(line_no, std::string(key) + " value is not a number");
  out = *v;
  return Status::Ok();
}

}  // namespace

Result<ProcStat> ParseProcStat(std::string_view text, ProcStatRequired required) {
  ProcStat stat;
  enum : unsigned { kTotal = 1, kIntr = 2, kCtxt = 4, kBtime = 8, kProcesses = 16, kRunning = 32, kBlocked = 64 };
  unsigned seen = 0;
  bool saw_total = false;
  text::LineCursor lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    const std::size_t line_no = lines.line_number();

    FieldCursor fields(line);
    std::string_view key;
    if (!fields.Next(key)) continue;
    // procfs skips lines with fewer than two fields; so do we.
    FieldCursor probe = fields;
    std::string_view ignored;
    if (!probe.Next(ignored)) continue;

    if (key == "intr") {
      BUILDFARM_RETURN_IF_ERROR(ReadSingle(fields, stat.interrupts_total, line_no, key));
      // Per-IRQ counts are not exported, but garbage among them means a garbled file.
      std::string_view field;
      while (fields.Next(field)) {
        if (!text::ParseUint64(field)) return LineError(line_no, "intr has a count that is not a number");
      }
      seen |= kIntr;
    } else if (key == "ctxt") {
      BUILDFARM_RETURN_IF_ERROR(ReadSingle(fields, stat.context_switches, line_no, key));
      seen |= kCtxt;
    } else if (key == "btime") {
      BUILDFARM_RETURN_IF_ERROR(ReadSingle(fields, stat.boot_time, line_no, key));
      seen |= kBtime;
    } else if (key == "processes") {
      BUILDFARM_RETURN_IF_ERROR(ReadSingle(fields, stat.forks, line_no, key));
      seen |= kProcesses;
    } else if (key == "procs_running") {
      BUILDFARM_RETURN_IF_ERROR(ReadSingle(fields, stat.procs_running, line_no, key));
      seen |= kRunning;
    } else if (key == "procs_blocked") {
      BUILDFARM_RETURN_IF_ERROR(ReadSingle(fields, stat.procs_blocked, line_no, key));
      seen |= kBlocked;
    } else if (key == "softirq") {
      SoftirqCounts& s = stat.softirq;
      std::uint64_t* columns[] = {&s.total, &s.hi,     &s.timer, &s.net_tx,  &s.net_rx, &s.block,
                                  &s.block_iopoll, &s.tasklet, &s.sched, &s.hrtimer, &s.rcu};
      BUILDFARM_RETURN_IF_ERROR(ReadNumbers(fields, columns, std::size(columns), line_no, key));
      stat.has_softirq = true;
    } else if (key.substr(0, 3) == "cpu") {
      BUILDFARM_RETURN_IF_ERROR(ReadCpuLine(key, fields, line_no, stat, saw_total));
    }
  }
  if (saw_total) seen |= kTotal;
  if (required == ProcStatRequired::kCpuLine) seen |= ~kTotal;
  static constexpr std::pair<unsigned, std::string_view> kRequired[] = {
      {kTotal, "cpu"},          {kIntr, "intr"},          {kCtxt, "ctxt"},          {kBtime, "btime"},
      {kProcesses, "processes"}, {kRunning, "procs_running"}, {kBlocked, "procs_blocked"}};
  for (const auto& [bit, name] : kRequired) {
    if ((seen & bit) == 0) return ParseError("no \"" + std::string(name) + "\" line (truncated file?)");
  }
  return stat;
}

double CpuBusyPercent(const CpuTicks& before, const CpuTicks& after) {
  // guest and guest_nice are already counted in user and nice.
  auto all = [](const CpuTicks& t) {
    return t.user + t.nice + t.system + t.idle + t.iowait + t.irq + t.softirq + t.steal;
  };
  auto idle = [](const CpuTicks& t) { return t.idle + t.iowait; };
  std::uint64_t all_before = all(before), all_after = all(after);
  std::uint64_t idle_before = idle(before), idle_after = idle(after);
  if (all_after <= all_before || idle_after < idle_before) return 0;
  std::uint64_t total = all_after - all_before;
  std::uint64_t idle_delta = idle_after - idle_before;
  if (idle_delta >= total) return 0;
  return 100.0 * static_cast<double>(total - idle_delta) / static_cast<double>(total);
}

}  // namespace buildfarm::exporter
