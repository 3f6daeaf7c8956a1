// Issue 11 item 4: the sizes the schemas cap are enforced where the text comes in: a job command over
// 64 KiB (POST /api/v1/jobs, alone and in a graph), message metadata over 16 KiB (POST
// /api/v1/messages) are 400 naming the field; an agent's error text over 8 KiB is cut, not refused,
// so the attempt's result is still recorded.
#include <gtest/gtest.h>

#include "tests/scheduler/server/server_fixture.h"

namespace buildfarm::scheduler {
namespace {

using nlohmann::json;

class SizeLimitsTest : public ServerTest {};

TEST_F(SizeLimitsTest, CommandOver64KiBIs400NamingTheField) {
  const std::string at_limit(65536, 'x');
  EXPECT_EQ(Post("/api/v1/jobs", json{{"command", at_limit}}.dump()).status, 201);
  const std::pair<json, std::string> cases[] = {
      {json{{"command", at_limit + "x"}}, "command"},
      {json{{"jobs", {{{"command", "true"}}, {{"command", at_limit + "x"}}}}}, "jobs/1/command"},
  };
  for (const auto& [body, field] : cases) {
    Reply reply = Post("/api/v1/jobs", body.dump());
    EXPECT_EQ(reply.status, 400) << field;
    EXPECT_EQ(reply.json.value("field", ""), field) << reply.body.substr(0, 300);
  }
  EXPECT_EQ(Get("/api/v1/jobs").json["jobs"].size(), 1u);
}

TEST_F(SizeLimitsTest, MetadataOver16KiBIs400NamingTheField) {
  json message{{"from", "b1"}, {"to", "all"}, {"subject", "report"}};
  message["metadata"] = {{"note", std::string(16000, 'a')}};
  EXPECT_EQ(Post("/api/v1/messages", message.dump()).status, 201);
  message["metadata"] = {{"note", std::string(16400, 'a')}};
  Reply big = Post("/api/v1/messages", message.dump());
  EXPECT_EQ(big.status, 400);
  EXPECT_EQ(big.json.value("field", ""), "metadata");
  EXPECT_NE(big.json.value("error", "").find("16384"), std::string::npos) << big.body.substr(0, 300);

  json many_keys = json::object();
  for (int i = 0; i < 65; ++i) many_keys["k" + std::to_string(i)] = i;
  message["metadata"] = many_keys;
  Reply keys = Post("/api/v1/messages", message.dump());
  EXPECT_EQ(keys.status, 400);
  EXPECT_EQ(keys.json.value("field", ""), "metadata") << keys.body;
}

TEST_F(SizeLimitsTest, ErrorTextOver8KiBIsCutAndTheResultRecorded) {
  ASSERT_EQ(RegisterNode("b1").status, 200);
  const std::string id = Submit({});
  ASSERT_TRUE(Eventually([&] { return Job(id)["status"] == "assigned"; }));
  // Multi-byte characters across the cut: what is kept stays valid UTF-8.
  std::string error;
  while (error.size() < 20000) error += "d\xC3\xA9j\xC3\xA0 vu ";
  Reply done =
      Post("/api/v1/jobs/" + id + "/attempts/1/result", json{{"exit_code", 2}, {"error", error}}.dump(), "b1tok");
  ASSERT_EQ(done.status, 200) << done.body.substr(0, 300);
  const std::string kept = Job(id).value("error_message", "");
  EXPECT_LE(kept.size(), 8192u);
  EXPECT_EQ(kept.substr(0, 100), error.substr(0, 100));
  EXPECT_NE(kept.find("[truncated]"), std::string::npos);
  EXPECT_EQ(Job(id)["status"], "failed");
}

}  // namespace
}  // namespace buildfarm::scheduler
