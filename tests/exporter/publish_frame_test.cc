// The frames between buildfarm-exporter and its publishing child: whole, partial and bad frames, and
// what metrics text the exporter accepts for /metrics.
#include "exporter/publish_frame.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>

namespace buildfarm::exporter {
namespace {

std::string Header(std::uint32_t size, char type) {
  std::string header;
  for (int shift = 24; shift >= 0; shift -= 8) header.push_back(static_cast<char>((size >> shift) & 0xff));
  header.push_back(type);
  return header;
}

TEST(PublishFrame, EncodedFramesComeBackWholeOneAtATime) {
  std::string buffer = EncodeFrame(FrameType::kMetrics, "buildfarm_publish_pending 0\n") +
                       EncodeFrame(FrameType::kDocumentRequest, "") + EncodeFrame(FrameType::kDocument, "{}");
  const FrameType types[] = {FrameType::kMetrics, FrameType::kDocumentRequest, FrameType::kDocument};
  const char* payloads[] = {"buildfarm_publish_pending 0\n", "", "{}"};
  for (int i = 0; i < 3; ++i) {
    auto frame = TakeFrame(buffer);
    ASSERT_TRUE(frame.ok()) << frame.status().ToString();
    ASSERT_TRUE(frame->has_value());
    EXPECT_EQ((*frame)->type, types[i]);
    EXPECT_EQ((*frame)->payload, payloads[i]);
  }
  EXPECT_TRUE(buffer.empty());
}

TEST(PublishFrame, PartialFramesWaitForMoreBytes) {
  const std::string whole = EncodeFrame(FrameType::kDocument, "{\"server_id\":\"b\"}");
  for (std::size_t cut = 0; cut < whole.size(); ++cut) {
    std::string buffer = whole.substr(0, cut);
    auto frame = TakeFrame(buffer);
    ASSERT_TRUE(frame.ok()) << "cut at " << cut << ": " << frame.status().ToString();
    EXPECT_FALSE(frame->has_value()) << "cut at " << cut;
    EXPECT_EQ(buffer.size(), cut) << "nothing consumed from a partial frame";
  }
}

TEST(PublishFrame, BadHeadersAreParseErrorsNamingTheProblem) {
  struct Case {
    std::string name;
    std::string bytes;
    std::string error;
  };
  const Case cases[] = {
      {"unknown type", Header(0, 'X'), "frame type 88"},
      {"NUL type", Header(3, '\0') + "abc", "frame type 0"},
      {"length above the cap", Header(kMaxFramePayload + 1, 'M'), "above the limit of 1048576"},
      {"largest length", Header(0xffffffffu, 'd'), "frame length 4294967295"},
      {"garbage text", "GET / HTTP/1.1\r\n", "frame type"},
  };
  for (const Case& c : cases) {
    std::string buffer = c.bytes;
    auto frame = TakeFrame(buffer);
    ASSERT_FALSE(frame.ok()) << c.name;
    EXPECT_EQ(frame.status().code(), StatusCode::kParseError) << c.name;
    EXPECT_NE(frame.status().message().find(c.error), std::string::npos) << c.name << ": " << frame.status().message();
  }
}

TEST(PublishFrame, AFrameAtTheCapIsAccepted) {
  std::string buffer = EncodeFrame(FrameType::kMetrics, std::string(kMaxFramePayload, '\n'));
  auto frame = TakeFrame(buffer);
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  ASSERT_TRUE(frame->has_value());
  EXPECT_EQ((*frame)->payload.size(), kMaxFramePayload);
}

TEST(PublishFrame, MetricsTextIsOnlyPublishFamilies) {
  struct Case {
    std::string text;
    bool ok;
  };
  const Case cases[] = {
      {"", true},
      {"# HELP buildfarm_publish_pending Files staged.\n# TYPE buildfarm_publish_pending gauge\n"
       "buildfarm_publish_pending 0\n",
       true},
      {"buildfarm_publish_attempts_total{result=\"ok\"} 3\n", true},
      {"buildfarm_publish_refused_total{reason=\"a\\\"b\",x=\"}\"} 1e+03\n", true},
      {"buildfarm_publish_last_success_timestamp_seconds 1.7e9 1700000000000\n", true},
      {"buildfarm_publish_x NaN\nbuildfarm_publish_y +Inf\n", true},
      {"node_load1 5\n", false},                                      // another family
      {"# HELP node_load1 x\n", false},                               // its help
      {"buildfarm_publish_pending\n", false},                         // no value
      {"buildfarm_publish_pending zero\n", false},                    // not a number
      {"buildfarm_publish_pending{result=\"ok\" 1\n", false},         // unclosed labels
      {"buildfarm_publish_pending{result=\"ok} 1\n", false},          // unclosed quote
      {"buildfarm_publish_pending{=\"ok\"} 1\n", false},              // no label name
      {"buildfarm_publish_pending 1\r\n", false},                     // CR in the value
      {"buildfarm_publish_pending 1\n# EOF\n", false},                // other comments
      {std::string("buildfarm_publish_pending 1\0", 28), false},      // NUL
  };
  for (const Case& c : cases) {
    Status checked = CheckPublishMetricsText(c.text);
    EXPECT_EQ(checked.ok(), c.ok) << c.text << ": " << checked.ToString();
  }
  EXPECT_NE(CheckPublishMetricsText("buildfarm_publish_a 1\nnode_load1 5\n").message().find("line 2"),
            std::string::npos);
}

TEST(FrameChannel, ReceiveReportsFramesTimeoutsAndBadFrames) {
  int sockets[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sockets), 0);
  FrameChannel ours(sockets[0]);
  FrameChannel theirs(sockets[1]);
  ASSERT_TRUE(theirs.Send(FrameType::kDocumentRequest, "", 1).ok());
  auto request = ours.Receive(5);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->type, FrameType::kDocumentRequest);
  EXPECT_EQ(ours.Receive(0.01).status().code(), StatusCode::kTimeout);
  ASSERT_EQ(send(sockets[1], "\0\0\0\0Z", 5, 0), 5);
  EXPECT_EQ(ours.Receive(5).status().code(), StatusCode::kParseError);
  EXPECT_EQ(ours.Receive(5).status().code(), StatusCode::kParseError) << "a broken stream stays broken";
}

TEST(FrameChannel, AClosedPeerIsUnavailableWithoutSigpipe) {
  int sockets[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sockets), 0);
  FrameChannel ours(sockets[0]);
  { FrameChannel theirs(sockets[1]); }
  EXPECT_EQ(ours.Receive(5).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(ours.Send(FrameType::kDocument, "{}", 1).code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace buildfarm::exporter
