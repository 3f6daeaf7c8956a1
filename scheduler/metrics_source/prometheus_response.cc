#include "scheduler/metrics_source/prometheus_response.h"

#include <cmath>
#include <exception>
#include <nlohmann/json.hpp>

#include "common/text.h"

namespace buildfarm::scheduler {
namespace {

using Json = nlohmann::json;

// Error messages quote the offending text: cut it short and keep it printable, since it may be garbage.
std::string Truncated(std::string_view s, std::size_t max = 120) {
  std::string out(s.substr(0, max));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  if (s.size() > max) out += "...";
  return out;
}

Result<InstantSample> ParseSample(const Json& item, std::size_t index) {
  const std::string where = "data.result[" + std::to_string(index) + "]";
  if (!item.is_object()) return ParseError(where + ": not an object");
  InstantSample sample;

  auto metric = item.find("metric");
  if (metric != item.end()) {
    if (!metric->is_object()) return ParseError(where + ".metric: not an object");
    for (const auto& [name, value] : metric->items()) {
      if (!value.is_string()) return ParseError(where + ".metric." + name + ": label value is not a string");
      sample.labels.emplace(name, value.get<std::string>());
    }
  }

  auto pair = item.find("value");
  if (pair == item.end()) {
    if (item.contains("histogram")) return ParseError(where + ": native histograms are not supported");
    return ParseError(where + ": missing \"value\"");
  }
  if (!pair->is_array() || pair->size() != 2) {
    return ParseError(where + ".value: want [timestamp, \"value\"]");
  }
  const Json& ts = (*pair)[0];
  if (!ts.is_number()) return ParseError(where + ".value[0]: timestamp is not a number");
  sample.timestamp_seconds = ts.get<double>();
  if (!std::isfinite(sample.timestamp_seconds)) return ParseError(where + ".value[0]: timestamp is not finite");

  const Json& text = (*pair)[1];
  if (!text.is_string()) return ParseError(where + ".value[1]: value is not a string");
  const std::string& s = text.get_ref<const std::string&>();
  auto value = text::ParseDouble(s);
  if (!value) return ParseError(where + ".value[1]: not a number: \"" + Truncated(s) + "\"");
  sample.value = *value;
  return sample;
}

Result<std::vector<InstantSample>> ParseDocument(const Json& doc) {
  if (!doc.is_object()) return ParseError("response is not a JSON object");
  auto status = doc.find("status");
  if (status == doc.end() || !status->is_string()) return ParseError("response has no \"status\"");
  if (*status != "success") {
    std::string message = "Prometheus answered status \"" + Truncated(status->get<std::string>()) + "\"";
    auto type = doc.find("errorType");
    if (type != doc.end() && type->is_string()) message += " (" + Truncated(type->get<std::string>()) + ")";
    auto error = doc.find("error");
    if (error != doc.end() && error->is_string()) message += ": " + Truncated(error->get<std::string>(), 300);
    return Status(StatusCode::kUnavailable, message);
  }
  auto data = doc.find("data");
  if (data == doc.end() || !data->is_object()) return ParseError("response has no \"data\" object");
  auto type = data->find("resultType");
  if (type == data->end() || !type->is_string()) return ParseError("data has no \"resultType\"");
  if (*type != "vector") {
    return ParseError("data.resultType is \"" + Truncated(type->get<std::string>()) + "\", want \"vector\"");
  }
  auto result = data->find("result");
  if (result == data->end() || !result->is_array()) return ParseError("data.result is not an array");

  std::vector<InstantSample> out;
  out.reserve(result->size());
  for (std::size_t i = 0; i < result->size(); ++i) {
    auto sample = ParseSample((*result)[i], i);
    if (!sample.ok()) return sample.status();
    out.push_back(std::move(sample).value());
  }
  return out;
}

}  // namespace

Result<std::vector<InstantSample>> ParseInstantVector(std::string_view body) {
  Json doc = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return ParseError("response is not valid JSON: \"" + Truncated(body, 80) + "\"");
  try {
    return ParseDocument(doc);
  } catch (const std::exception& e) {  // every access above is type-checked; this is a last guard
    return ParseError(std::string("response: ") + e.what());
  }
}

}  // namespace buildfarm::scheduler
