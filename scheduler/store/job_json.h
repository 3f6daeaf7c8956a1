// JSON form of jobs: JobSpec from a request body (with errors that name the field) and Job to the
// API's document. Stateless and thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "scheduler/store/job.h"

namespace buildfarm::scheduler {

// Reads a submitted job. Unknown fields and wrong types are InvalidArgument errors whose message
// starts with the field's name ("priority: want an integer from 1 to 10").
Result<JobSpec> JobSpecFromJson(const nlohmann::json& body);
nlohmann::json JobSpecToJson(const JobSpec& spec);
// The full job document: the spec's fields plus status, node, attempt, times (RFC 3339) and results.
nlohmann::json JobToJson(const Job& job);

// "2026-11-26T23:59:01Z" (with milliseconds when non-zero).
std::string FormatTimestamp(double unix_seconds);

}  // namespace buildfarm::scheduler
