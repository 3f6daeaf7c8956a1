#include "exporter/collectors/textfile_parser.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include "common/prometheus_text_parser.h"
#include "common/text.h"

namespace buildfarm::exporter {
namespace {

using Label = prometheus::ClientMetric::Label;

Status LineError(std::size_t line, const std::string& what) {
  return ParseError("line " + std::to_string(line) + ": " + what);
}

prometheus::MetricType TypeFromName(const std::string& type) {
  if (type == "counter") return prometheus::MetricType::Counter;
  if (type == "gauge") return prometheus::MetricType::Gauge;
  if (type == "histogram") return prometheus::MetricType::Histogram;
  if (type == "summary") return prometheus::MetricType::Summary;
  return prometheus::MetricType::Untyped;
}

std::string SeriesKey(const std::string& name, const std::vector<Label>& labels) {
  std::string key = name + "{";
  for (const auto& label : labels) key += label.name + "=\"" + EscapePromLabelValue(label.value) + "\",";
  return key + "}";
}

// The samples of one family (histogram and summary parts included), in file order.
struct FamilySamples {
  std::string name;
  std::vector<const PromTextSample*> samples;
  std::size_t first_line = 0;
};

// The sample's labels named in `all_names` (sorted, without le or quantile), with "" for each it
// lacks: the labels the Go client gives the const metric node_exporter makes of it.
std::vector<Label> PaddedLabels(const PromTextSample& sample, const std::vector<std::string>& all_names) {
  std::vector<Label> labels;
  for (const auto& name : all_names) {
    auto it = std::find_if(sample.labels.begin(), sample.labels.end(), [&](const auto& l) { return l.first == name; });
    labels.push_back({name, it == sample.labels.end() ? std::string() : it->second});
  }
  return labels;
}

std::optional<std::string> FindLabel(const PromTextSample& sample, std::string_view name) {
  for (const auto& [k, v] : sample.labels) {
    if (k == name) return v;
  }
  return std::nullopt;
}

// Histograms and summaries: one ClientMetric per label set, filled from _bucket/quantile, _sum and
// _count samples.
Status BuildComposite(const FamilySamples& group, const std::vector<std::string>& label_names, bool histogram,
                      prometheus::MetricFamily& family) {
  std::map<std::string, std::size_t> metric_of;  // series key -> index in family.metric
  std::set<std::string> seen_parts;
  for (const PromTextSample* sample : group.samples) {
    std::vector<Label> labels = PaddedLabels(*sample, label_names);
    std::string key = SeriesKey(group.name, labels);
    auto [it, inserted] = metric_of.emplace(key, family.metric.size());
    if (inserted) family.metric.emplace_back().label = labels;
    prometheus::ClientMetric& metric = family.metric[it->second];
    std::string suffix = sample->name.substr(group.name.size());
    std::string part = key + suffix;
    if (suffix == "_sum" || suffix == "_count") {
      if (!seen_parts.insert(part).second) return LineError(sample->line, "duplicate series " + sample->name);
      bool sum = suffix == "_sum";
      double value = sample->value;
      if (!sum && !(value >= 0 && value < 1.8e19)) return LineError(sample->line, sample->name + " must be a count");
      if (histogram) {
        if (sum) metric.histogram.sample_sum = value;
        else metric.histogram.sample_count = static_cast<std::uint64_t>(value);
      } else {
        if (sum) metric.summary.sample_sum = value;
        else metric.summary.sample_count = static_cast<std::uint64_t>(value);
      }
      continue;
    }
    const char* special = histogram ? "le" : "quantile";
    if (!suffix.empty() && !(histogram && suffix == "_bucket")) {
      return LineError(sample->line, "unexpected sample " + sample->name + " in " + group.name);
    }
    if (histogram && suffix.empty()) {
      return LineError(sample->line, "histogram " + group.name + " needs _bucket, _sum or _count, got " + sample->name);
    }
    auto bound_text = FindLabel(*sample, special);
    auto bound = bound_text ? text::ParseDouble(*bound_text == "+Inf" ? "inf" : *bound_text) : std::nullopt;
    if (!bound) {
      return LineError(sample->line, sample->name + " needs a numeric " + std::string(special) + " label");
    }
    // By value, so le="1" and le="1.0" are the same bucket.
    char bound_key[40];
    std::snprintf(bound_key, sizeof bound_key, "/%a", *bound);
    if (!seen_parts.insert(part + bound_key).second) {
      return LineError(sample->line, "duplicate series " + sample->name);
    }
    if (histogram) {
      if (!(sample->value >= 0 && sample->value < 1.8e19)) return LineError(sample->line, "bucket count must be >= 0");
      metric.histogram.bucket.push_back({static_cast<std::uint64_t>(sample->value), *bound});
    } else {
      metric.summary.quantile.push_back({*bound, sample->value});
    }
  }
  for (auto& metric : family.metric) {
    auto& buckets = metric.histogram.bucket;
    std::sort(buckets.begin(), buckets.end(), [](const auto& a, const auto& b) { return a.upper_bound < b.upper_bound; });
    // The Go client's writer adds the +Inf bucket when a histogram lacks it.
    if (histogram && (buckets.empty() || !std::isinf(buckets.back().upper_bound))) {
      buckets.push_back({metric.histogram.sample_count, std::numeric_limits<double>::infinity()});
    }
    auto& quantiles = metric.summary.quantile;
    std::sort(quantiles.begin(), quantiles.end(), [](const auto& a, const auto& b) { return a.quantile < b.quantile; });
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<TextfileFamily>> ParseTextfile(std::string_view text, std::string_view path) {
  auto document = ParsePrometheusText(text);
  if (!document.ok()) return document.status();

  std::vector<FamilySamples> groups;
  std::map<std::string, std::size_t> group_of;
  std::set<std::string> sample_keys;
  for (const auto& sample : document->samples) {
    if (sample.timestamp_ms) {
      return LineError(sample.line, "client-side timestamps are not supported; the whole file is skipped");
    }
    std::vector<std::pair<std::string, std::string>> sorted = sample.labels;
    std::sort(sorted.begin(), sorted.end());
    std::string key = sample.name;
    for (const auto& [k, v] : sorted) key += "," + k + "=\"" + EscapePromLabelValue(v) + "\"";
    if (!sample_keys.insert(key).second) return LineError(sample.line, "duplicate series " + sample.name);
    std::string family = document->FamilyOf(sample.name);
    auto [it, inserted] = group_of.emplace(family, groups.size());
    if (inserted) groups.push_back({family, {}, sample.line});
    groups[it->second].samples.push_back(&sample);
  }

  std::vector<TextfileFamily> out;
  for (const auto& group : groups) {
    TextfileFamily result;
    const PromTextFamilyHeader* header = nullptr;
    if (auto it = document->headers.find(group.name); it != document->headers.end()) header = &it->second;
    prometheus::MetricFamily& family = result.family;
    family.name = group.name;
    family.type = TypeFromName(header ? header->type : "");
    family.help = header && header->help_line != 0 ? header->help : "Metric read from " + std::string(path);
    result.line = group.first_line;
    if (header) {
      for (std::size_t line : {header->help_line, header->type_line}) {
        if (line != 0) result.line = std::min(result.line, line);
      }
    }
    bool histogram = family.type == prometheus::MetricType::Histogram;
    bool summary = family.type == prometheus::MetricType::Summary;
    std::set<std::string> names;
    for (const PromTextSample* sample : group.samples) {
      for (const auto& [name, value] : sample->labels) {
        bool special = (histogram && name == "le") || (summary && name == "quantile" && sample->name == group.name);
        if (!special) names.insert(name);
      }
    }
    result.label_names.assign(names.begin(), names.end());
    if (histogram || summary) {
      Status built = BuildComposite(group, result.label_names, histogram, family);
      if (!built.ok()) return built;
    } else {
      for (const PromTextSample* sample : group.samples) {
        AddSample(family, PaddedLabels(*sample, result.label_names), sample->value);
      }
    }
    out.push_back(std::move(result));
  }
  return out;
}

Status TextfileMerger::Add(const std::string& file, std::vector<TextfileFamily> families) {
  std::set<std::string> new_series;
  for (const auto& candidate : families) {
    const auto& family = candidate.family;
    auto it = by_name_.find(family.name);
    if (it != by_name_.end()) {
      const auto& earlier = families_[it->second.index];
      std::string where = "line " + std::to_string(candidate.line) + ": metric " + family.name;
      if (earlier.help != family.help) return ParseError(where + " has another HELP text than in " + it->second.file);
      if (earlier.type != family.type) return ParseError(where + " has another TYPE than in " + it->second.file);
      if (it->second.label_names != candidate.label_names) {
        return ParseError(where + " has other label names than in " + it->second.file);
      }
    }
    for (const auto& metric : family.metric) {
      std::string key = SeriesKey(family.name, metric.label);
      if (series_.count(key) || !new_series.insert(key).second) {
        return ParseError("line " + std::to_string(candidate.line) + ": metric " + family.name +
                          " repeats a series an earlier file has");
      }
    }
  }
  series_.insert(new_series.begin(), new_series.end());
  for (auto& candidate : families) {
    auto it = by_name_.find(candidate.family.name);
    if (it == by_name_.end()) {
      by_name_.emplace(candidate.family.name, Accepted{file, families_.size(), candidate.label_names});
      families_.push_back(std::move(candidate.family));
      continue;
    }
    auto& metrics = families_[it->second.index].metric;
    for (auto& metric : candidate.family.metric) metrics.push_back(std::move(metric));
  }
  return Status::Ok();
}

void TextfileMerger::AppendTo(Families& out) && {
  for (auto& family : families_) out.push_back(std::move(family));
}

}  // namespace buildfarm::exporter
