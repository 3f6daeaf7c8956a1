// The job document the scheduler serves (and the publisher writes to coordination/jobs.json) validates
// against schemas/job.schema.json, in every state, with every optional field set.
#include <gtest/gtest.h>

#include "common/json_schema/json_schema.h"
#include "scheduler/store/job_json.h"

namespace buildfarm::scheduler {
namespace {

TEST(JobSchemaTest, StoredJobDocumentsValidate) {
  Job job;
  job.spec.id = "j-41";
  job.spec.command = "make -j2";
  job.spec.branch = "main";
  job.spec.commit = "abc123";
  job.spec.profiles = {"linux"};
  job.spec.requirements = {2.5, 2LL << 30, 10LL << 30};
  job.spec.selector = {{"os", "linux"}};
  job.spec.dependencies = {"j-40"};
  job.spec.requester = "alice";
  job.created_at = 1'800'000'000.25;
  for (JobState state : {JobState::kBlocked, JobState::kQueued, JobState::kAssigned, JobState::kRunning,
                         JobState::kCompleted, JobState::kFailed, JobState::kCancelled}) {
    job.state = state;
    job.node = state == JobState::kQueued ? "" : "build-7";
    job.assigned_at = job.created_at + 1;
    job.started_at = job.created_at + 2;
    job.completed_at = job.created_at + 3;
    job.exit_code = 2;
    job.duration_seconds = 1.0;
    job.error_message = "exit status 2";
    auto violations = json_schema::Validate("job", JobToJson(job));
    ASSERT_TRUE(violations.ok());
    EXPECT_TRUE(violations->empty()) << JobStateName(state) << ": " << violations->front().pointer << " "
                                     << violations->front().message;
    // What was submitted passes the submission schema too.
    auto submitted = json_schema::Validate("job/submission", JobSpecToJson(job.spec));
    ASSERT_TRUE(submitted.ok());
    EXPECT_TRUE(submitted->empty()) << submitted->front().pointer << " " << submitted->front().message;
  }
}

}  // namespace
}  // namespace buildfarm::scheduler
