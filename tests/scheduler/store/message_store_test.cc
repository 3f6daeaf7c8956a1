// MessageStore on a real SQLite file: dedupe window, unread per node (incl. `all`), read receipts,
// FTS5 ranking and filters, thread order, archive by age and by expiry, unread counts.
#include "scheduler/store/message_store.h"

#include <gtest/gtest.h>

#include "scheduler/store/job_store.h"
#include "tests/support/temp_dir.h"

namespace buildfarm::scheduler {
namespace {

constexpr double kDay = 86400;
constexpr double kT0 = 1'800'000'000;  // a fixed "now" for reproducible times

MessageDraft Draft(std::string from, std::string to, std::string subject, std::string body = "",
                   MessagePriority priority = MessagePriority::kNormal, MessageType type = MessageType::kInfo) {
  MessageDraft d;
  d.from = std::move(from);
  d.to = std::move(to);
  d.subject = std::move(subject);
  d.body = std::move(body);
  d.priority = priority;
  d.type = type;
  return d;
}

std::vector<std::string> Subjects(const std::vector<Message>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.draft.subject);
  return out;
}

class MessageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = MessageStore::Open(dir_.Join("farm.db"));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  std::string Send(const MessageDraft& draft, double now) {
    auto sent = store_->Send(draft, now);
    EXPECT_TRUE(sent.ok()) << sent.status().ToString();
    return sent.ok() ? sent->message.id : "";
  }
  std::vector<std::string> UnreadSubjects(const std::string& node, double now) {
    auto unread = store_->Unread(node, now);
    EXPECT_TRUE(unread.ok()) << unread.status().ToString();
    return unread.ok() ? Subjects(*unread) : std::vector<std::string>{};
  }

  testing::TempDir dir_;
  std::unique_ptr<MessageStore> store_;
};

TEST_F(MessageStoreTest, IdsKeepTheSeedPrefix) {
  std::string id = Send(Draft("build1", "all", "hello"), kT0);
  EXPECT_EQ(id.rfind("msg_", 0), 0u) << id;
  auto got = store_->Get(id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->draft.subject, "hello");
  EXPECT_EQ(got->created_at, kT0);
  EXPECT_EQ(store_->Get("msg_nope").status().code(), StatusCode::kNotFound);
}

struct DedupeCase {
  std::string name;
  MessageDraft second;
  double after_seconds;
  bool same_id;
};

class DedupeTest : public MessageStoreTest, public ::testing::WithParamInterface<DedupeCase> {};

TEST_P(DedupeTest, SameMessageWithinTenMinutesIsTheSameId) {
  auto first = store_->Send(Draft("build1", "build2", "disk full", "sda1 at 99%"), kT0);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->created);
  auto second = store_->Send(GetParam().second, kT0 + GetParam().after_seconds);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->message.id == first->message.id, GetParam().same_id);
  EXPECT_EQ(second->created, !GetParam().same_id);
}

INSTANTIATE_TEST_SUITE_P(
    Window, DedupeTest,
    ::testing::Values(DedupeCase{"same_at_once", Draft("build1", "build2", "disk full", "sda1 at 99%"), 0, true},
                      DedupeCase{"same_at_ten_minutes", Draft("build1", "build2", "disk full", "sda1 at 99%"), 600, true},
                      DedupeCase{"same_after_ten_minutes", Draft("build1", "build2", "disk full", "sda1 at 99%"), 601, false},
                      DedupeCase{"other_body", Draft("build1", "build2", "disk full", "sda1 at 98%"), 1, false},
                      DedupeCase{"other_recipient", Draft("build1", "all", "disk full", "sda1 at 99%"), 1, false},
                      DedupeCase{"other_sender", Draft("build3", "build2", "disk full", "sda1 at 99%"), 1, false},
                      DedupeCase{"other_subject", Draft("build1", "build2", "disk ok", "sda1 at 99%"), 1, false}),
    [](const auto& info) { return info.param.name; });

TEST_F(MessageStoreTest, UnreadPerNodeIncludesBroadcastsInPriorityThenTimeOrder) {
  Send(Draft("build1", "build2", "normal-old"), kT0);
  Send(Draft("build1", "all", "broadcast-low", "", MessagePriority::kLow), kT0 + 1);
  Send(Draft("build3", "build2", "critical-new", "", MessagePriority::kCritical), kT0 + 2);
  Send(Draft("build1", "build3", "for-build3"), kT0 + 3);
  Send(Draft("build1", "build2", "normal-new"), kT0 + 4);
  EXPECT_EQ(UnreadSubjects("build2", kT0 + 5),
            (std::vector<std::string>{"critical-new", "normal-old", "normal-new", "broadcast-low"}));
  EXPECT_EQ(UnreadSubjects("build3", kT0 + 5), (std::vector<std::string>{"for-build3", "broadcast-low"}));
  // A sender does not get its own broadcast.
  EXPECT_EQ(UnreadSubjects("build1", kT0 + 5), std::vector<std::string>{});
  EXPECT_EQ(UnreadSubjects("nobody", kT0 + 5), std::vector<std::string>{"broadcast-low"});
}

TEST_F(MessageStoreTest, ReadReceiptsArePerReaderForBroadcasts) {
  std::string all = Send(Draft("build1", "all", "maintenance tonight"), kT0);
  std::string direct = Send(Draft("build1", "build2", "your disk"), kT0);
  auto read = store_->MarkRead(all, "build2", kT0 + 10);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->read_by, (std::map<std::string, double>{{"build2", kT0 + 10}}));
  // Read again later: the first time stays.
  ASSERT_TRUE(store_->MarkRead(all, "build2", kT0 + 50).ok());
  ASSERT_TRUE(store_->MarkRead(all, "build3", kT0 + 20).ok());
  EXPECT_EQ(store_->Get(all)->read_by, (std::map<std::string, double>{{"build2", kT0 + 10}, {"build3", kT0 + 20}}));
  EXPECT_EQ(UnreadSubjects("build2", kT0 + 60), std::vector<std::string>{"your disk"});
  EXPECT_EQ(UnreadSubjects("build4", kT0 + 60), std::vector<std::string>{"maintenance tonight"});

  auto wrong = store_->MarkRead(direct, "build3", kT0 + 60);
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(wrong.status().message().rfind("reader: ", 0), 0u) << wrong.status().message();
  EXPECT_EQ(store_->MarkRead("msg_missing", "build2", kT0).status().code(), StatusCode::kNotFound);
}

TEST_F(MessageStoreTest, SearchRanksSubjectAndFrequentMatchesFirst) {
  Send(Draft("build1", "all", "weekly report", "one compiler error in the nightly build"), kT0);
  Send(Draft("build2", "all", "compiler error", "compiler error compiler error on main"), kT0 + 1);
  Send(Draft("build3", "all", "lunch", "nothing about builds"), kT0 + 2);
  Send(Draft("build3", "all", "compiler upgrade", "gcc 14 next week, expect an error or two"), kT0 + 3);
  auto found = store_->Search({.text = "compiler error"});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_EQ(found->size(), 3u);
  EXPECT_EQ(found->front().draft.subject, "compiler error");
  // FTS5 syntax in the user's text is taken as words, not operators.
  auto odd = store_->Search({.text = "error\" OR NEAR(lunch"});
  ASSERT_TRUE(odd.ok()) << odd.status().ToString();
  EXPECT_TRUE(odd->empty());
  EXPECT_EQ(store_->Search({.text = "!!!"}).status().code(), StatusCode::kInvalidArgument);
}

struct FilterCase {
  std::string name;
  MessageQuery query;
  std::vector<std::string> subjects;  // newest first when there is no text
};

class SearchFilterTest : public MessageStoreTest, public ::testing::WithParamInterface<FilterCase> {
 protected:
  void SetUp() override {
    MessageStoreTest::SetUp();
    Send(Draft("build1", "build2", "disk error", "sda", MessagePriority::kCritical, MessageType::kError), kT0);
    Send(Draft("build2", "all", "heartbeat", "alive", MessagePriority::kLow, MessageType::kHeartbeat), kT0 + 1);
    Send(Draft("build3", "build1", "need help with error", "", MessagePriority::kHigh, MessageType::kRequest), kT0 + 2);
    Send(Draft("build3", "build4", "fyi", "an error was fixed", MessagePriority::kNormal, MessageType::kInfo), kT0 + 3);
  }
};

TEST_P(SearchFilterTest, Filters) {
  auto found = store_->Search(GetParam().query);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(Subjects(*found), GetParam().subjects);
}

INSTANTIATE_TEST_SUITE_P(
    Filters, SearchFilterTest,
    ::testing::Values(
        FilterCase{"everything_newest_first", {}, {"fyi", "need help with error", "heartbeat", "disk error"}},
        FilterCase{"server_as_sender_or_recipient", {.server = "build1"}, {"need help with error", "disk error"}},
        FilterCase{"type", {.type = MessageType::kHeartbeat}, {"heartbeat"}},
        FilterCase{"priority", {.priority = MessagePriority::kHigh}, {"need help with error"}},
        FilterCase{"text_and_server", {.text = "error", .server = "build3"}, {"need help with error", "fyi"}},
        FilterCase{"text_and_type", {.text = "error", .type = MessageType::kError}, {"disk error"}},
        FilterCase{"limit", {.limit = 2}, {"fyi", "need help with error"}}),
    [](const auto& info) { return info.param.name; });

TEST_F(MessageStoreTest, ThreadIsTheWholeReplyTreeInTimeOrderFromAnyMember) {
  std::string root = Send(Draft("build1", "build2", "can you take job 7?"), kT0);
  MessageDraft reply = Draft("build2", "build1", "re: job 7", "yes");
  reply.reply_to = root;
  std::string r1 = Send(reply, kT0 + 10);
  MessageDraft branch = Draft("build3", "build1", "re: job 7", "I can too");
  branch.reply_to = root;
  std::string r2 = Send(branch, kT0 + 5);
  MessageDraft nested = Draft("build1", "build2", "re: re: job 7", "thanks");
  nested.reply_to = r1;
  std::string r3 = Send(nested, kT0 + 20);
  Send(Draft("build1", "build2", "unrelated"), kT0 + 1);
  for (const std::string& member : {root, r1, r2, r3}) {
    auto thread = store_->Thread(member);
    ASSERT_TRUE(thread.ok()) << thread.status().ToString();
    std::vector<std::string> ids;
    for (const auto& m : *thread) ids.push_back(m.id);
    EXPECT_EQ(ids, (std::vector<std::string>{root, r2, r1, r3})) << "from " << member;
  }
  EXPECT_EQ(store_->Thread("msg_none").status().code(), StatusCode::kNotFound);
  MessageDraft orphan = Draft("build1", "build2", "re: ?");
  orphan.reply_to = "msg_none";
  auto refused = store_->Send(orphan, kT0);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message().rfind("reply_to: ", 0), 0u);
}

TEST_F(MessageStoreTest, ArchiveMovesReadOldAndExpiredMessagesOnly) {
  std::string old_read = Send(Draft("build1", "build2", "old read"), kT0);
  Send(Draft("build1", "build2", "old unread"), kT0 + 1);
  std::string new_read = Send(Draft("build1", "build2", "new read"), kT0 + 40 * kDay);
  MessageDraft expiring = Draft("build1", "all", "expiring");
  expiring.expires_at = kT0 + 41 * kDay;
  std::string expired = Send(expiring, kT0 + 2);
  ASSERT_TRUE(store_->MarkRead(old_read, "build2", kT0 + 100).ok());
  ASSERT_TRUE(store_->MarkRead(new_read, "build2", kT0 + 40 * kDay + 1).ok());

  // Expired messages are no longer unread.
  EXPECT_EQ(UnreadSubjects("build3", kT0 + 42 * kDay), std::vector<std::string>{});
  auto archived = store_->Archive(30, kT0 + 42 * kDay);
  ASSERT_TRUE(archived.ok()) << archived.status().ToString();
  EXPECT_EQ(Subjects(*archived), (std::vector<std::string>{"old read", "expiring"}));
  for (const auto& m : *archived) EXPECT_EQ(m.archived_at, kT0 + 42 * kDay);
  EXPECT_EQ(archived->front().read_by, (std::map<std::string, double>{{"build2", kT0 + 100}}));

  // Gone from the active table (search), kept in the archive (get), nothing archived twice.
  auto all = store_->Search({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Subjects(*all), (std::vector<std::string>{"new read", "old unread"}));
  auto kept = store_->Get(old_read);
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->archived_at.has_value());
  EXPECT_EQ(kept->read_by.count("build2"), 1u);
  EXPECT_EQ(store_->MarkRead(expired, "build3", kT0 + 43 * kDay).status().code(), StatusCode::kConflict);
  auto again = store_->Archive(30, kT0 + 42 * kDay);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  // days = 0: every read message goes.
  auto rest = store_->Archive(0, kT0 + 42 * kDay);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(Subjects(*rest), std::vector<std::string>{"new read"});
}

TEST_F(MessageStoreTest, CountsUnreadByRecipientAndPriority) {
  Send(Draft("build1", "build2", "a", "", MessagePriority::kCritical), kT0);
  Send(Draft("build1", "build2", "b", "", MessagePriority::kCritical), kT0);
  std::string read = Send(Draft("build1", "all", "c", "", MessagePriority::kCritical), kT0);
  Send(Draft("build1", "all", "d", "", MessagePriority::kLow), kT0);
  ASSERT_TRUE(store_->MarkRead(read, "build5", kT0 + 1).ok());
  auto counts = store_->CountUnread(kT0 + 2);
  ASSERT_TRUE(counts.ok());
  std::map<std::pair<std::string, std::string>, std::int64_t> got;
  for (const auto& c : *counts) got[{c.to, std::string(MessagePriorityName(c.priority))}] = c.count;
  EXPECT_EQ(got, (std::map<std::pair<std::string, std::string>, std::int64_t>{{{"build2", "critical"}, 2},
                                                                               {{"all", "low"}, 1}}));
}

TEST_F(MessageStoreTest, SharesTheDatabaseFileWithTheJobs) {
  auto jobs = JobStore::Open(dir_.Join("farm.db"));
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  JobSpec spec;
  spec.command = "true";
  ASSERT_TRUE((*jobs)->Submit({spec}, kT0).ok());
  std::string id = Send(Draft("build1", "all", "after a job"), kT0);
  // Reopened, both survive.
  store_.reset();
  auto reopened = MessageStore::Open(dir_.Join("farm.db"));
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE((*reopened)->Get(id).ok());
}

}  // namespace
}  // namespace buildfarm::scheduler
