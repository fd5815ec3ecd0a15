// The workorder service against the real Redis and Kafka: two replicas
// racing, deadlines firing once, the closed loop with surveys, the outbox.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <prometheus/registry.h>

#include "absl/strings/str_cat.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "libs/redis/redis_client.h"
#include "services/workorder/workorder_service.h"
#include "tests/integration/test_env.h"

namespace fbl::workorder {
namespace {

namespace apb = ::feedbackloop::alerting::v1;
namespace cpb = ::feedbackloop::classification::v1;
namespace ppb = ::feedbackloop::common::v1;

using fbl::testing::CreateTopic;
using fbl::testing::KafkaBrokers;
using fbl::testing::UniqueName;
using fbl::testing::WaitFor;
using ::testing::HasSubstr;

absl::TimeZone Shanghai() {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &tz));
  return tz;
}

// One replica: its own Redis connection, store and service.
struct Replica {
  std::unique_ptr<redis::Client> redis;
  std::unique_ptr<TicketStore> store;
  std::unique_ptr<TicketService> tickets;
};

class WorkorderIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.redis_key_prefix = UniqueName("fbl:test:workorder") + ":";
    const std::string addr = fbl::testing::RequireEnv("FBL_REDIS_ADDR");
    config_.redis.port = std::stoi(addr.substr(addr.find(':') + 1));
    // Shanghai working week; P0 runs on the wall clock.
    auto calendar = BusinessCalendar::Create(config_.calendar);
    ASSERT_TRUE(calendar.ok()) << calendar.status();
    calendar_ = std::make_unique<BusinessCalendar>(*calendar);
    config_.policy.p0 = {absl::Minutes(10), absl::Minutes(60)};
    clock_ = [this] { return absl::FromUnixMillis(now_ms_.load()); };
    a_ = MakeReplica();
    b_ = MakeReplica();
  }

  Replica MakeReplica() {
    Replica r;
    auto client = redis::Client::Create(config_.redis);
    EXPECT_TRUE(client.ok()) << client.status();
    r.redis = std::move(*client);
    r.store = std::make_unique<TicketStore>(*r.redis, config_.redis_key_prefix);
    r.tickets = std::make_unique<TicketService>(*r.store, *calendar_, config_.policy, clock_);
    return r;
  }

  cpb::ClassifiedFeedback Classified(const std::string& feedback_id, const std::string& text, int priority) {
    cpb::ClassifiedFeedback c;
    c.mutable_feedback()->set_feedback_id(feedback_id);
    c.mutable_feedback()->set_text(text);
    c.mutable_feedback()->set_customer_pseudonym("c_" + feedback_id);
    c.set_priority(static_cast<ppb::Priority>(priority));
    c.set_department("logistics");
    c.set_needs_action(true);
    c.set_problem_type(cpb::PROBLEM_TYPE_SERVICE_SPEED);
    cpb::Tag* l3 = c.add_tags();
    l3->set_level(cpb::TAG_LEVEL_L3);
    l3->set_code("logistics.late_food_delivery");
    l3->set_name("送餐慢/超时");
    c.mutable_response_within()->set_seconds(24 * 3600);
    c.mutable_resolution_within()->set_seconds(72 * 3600);
    return c;
  }

  pb::Ticket Transition(Replica& r, const std::string& id, pb::TicketState to, int64_t version = 0) {
    pb::TransitionTicketRequest req;
    req.set_ticket_id(id);
    req.set_to_state(to);
    req.set_actor("agent.wu");
    req.set_expected_version(version);
    auto t = r.tickets->Transition(req);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? *t : pb::Ticket{};
  }

  // Every outbox event so far, in order (read by a fresh relay group member).
  std::vector<pb::TicketEvent> Outbox(Replica& r) {
    auto entries = r.store->ReadOutbox(UniqueName("reader"), 100000, absl::Milliseconds(0));
    EXPECT_TRUE(entries.ok()) << entries.status();
    std::vector<pb::TicketEvent> out;
    for (auto& e : *entries) out.push_back(e.event);
    return out;
  }

  WorkorderConfig config_;
  std::unique_ptr<BusinessCalendar> calendar_;
  // Monday 2026-06-08 10:00 Asia/Shanghai (02:00 UTC): inside working hours.
  std::atomic<int64_t> now_ms_{absl::ToUnixMillis(absl::FromCivil(absl::CivilSecond(2026, 6, 8, 2, 0, 0), absl::UTCTimeZone()))};
  Clock clock_;
  Replica a_, b_;
};

TEST_F(WorkorderIntegrationTest, ClassifiedFeedbackOpensOneTicketAndDuplicatesAttach) {
  const std::string fb = UniqueName("fb");
  // A real waimai complaint.
  const auto c = Classified(fb, "送餐实在太慢了，整2个小时，辣菜也不注明，失望", ppb::PRIORITY_P2_IMPORTANT);
  auto first = a_.tickets->FromClassified(c);
  ASSERT_TRUE(first.ok() && first->has_value()) << first.status();
  EXPECT_TRUE((*first)->created);
  auto again = b_.tickets->FromClassified(c);  // redelivered, other replica
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_FALSE((*again)->created);
  EXPECT_EQ((*again)->ticket.ticket_id(), (*first)->ticket.ticket_id());

  const pb::Ticket& t = (*first)->ticket;
  EXPECT_EQ(t.state(), pb::TICKET_STATE_PENDING);
  EXPECT_EQ(t.title(), "送餐慢/超时");
  EXPECT_EQ(t.department(), "logistics");
  EXPECT_EQ(t.version(), 1);
  // 24 working hours from Monday 10:00 on 7.5 h days: Thursday 11:30 (Shanghai).
  EXPECT_EQ(absl::FromUnixSeconds(t.response_due().seconds()),
            absl::FromCivil(absl::CivilSecond(2026, 6, 11, 11, 30, 0), Shanghai()));

  // Without an L3 problem the title is the text's start, cut on a character
  // boundary (a split UTF-8 sequence would make the ticket unreadable).
  auto untagged = Classified(UniqueName("fb"), std::string("送餐实在太慢了，整2个小时，辣菜也不注明，失望") +
                                                   "，送餐实在太慢了，整2个小时，辣菜也不注明，失望",
                             ppb::PRIORITY_P2_IMPORTANT);
  untagged.clear_tags();
  auto plain = a_.tickets->FromClassified(untagged);
  ASSERT_TRUE(plain.ok() && plain->has_value()) << plain.status();
  auto reread = b_.store->Get((*plain)->ticket.ticket_id());
  ASSERT_TRUE(reread.ok()) << reread.status();
  EXPECT_LE(reread->title().size(), 90u);
  EXPECT_EQ(reread->title().rfind("送餐实在太慢了", 0), 0u);

  // A near-duplicate joins it, once; praise opens nothing.
  auto dup = Classified(UniqueName("fb"), "送餐太慢", ppb::PRIORITY_P2_IMPORTANT);
  dup.mutable_feedback()->set_duplicate_of(fb);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(a_.tickets->FromClassified(dup).ok());
  auto joined = a_.store->Get(t.ticket_id());
  ASSERT_TRUE(joined.ok());
  EXPECT_EQ(joined->feedback_ids_size(), 2);
  auto praise = Classified(UniqueName("fb"), "很好吃，送餐也快", ppb::PRIORITY_P4_ROUTINE);
  praise.set_needs_action(false);
  auto none = a_.tickets->FromClassified(praise);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  // The intents that open tickets are configuration: suggestions can be left to the product backlog.
  auto suggestion = Classified(UniqueName("fb"), "建议增加夜间配送", ppb::PRIORITY_P4_ROUTINE);
  cpb::Tag* l1 = suggestion.add_tags();
  l1->set_level(cpb::TAG_LEVEL_L1);
  l1->set_code("suggestion");
  TicketPolicy complaints_only = config_.policy;
  complaints_only.open_for_intents = {"complaint"};
  TicketService strict(*a_.store, *calendar_, complaints_only, clock_);
  auto skipped = strict.FromClassified(suggestion);
  ASSERT_TRUE(skipped.ok());
  EXPECT_FALSE(skipped->has_value());
  auto opened = a_.tickets->FromClassified(suggestion);
  ASSERT_TRUE(opened.ok() && opened->has_value());

  // CREATED tells the customer when to expect an answer (WO-5).
  const auto events = Outbox(a_);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].type(), pb::TICKET_EVENT_TYPE_CREATED);
  EXPECT_THAT(events[0].customer_notice().message(), HasSubstr("已受理"));
  EXPECT_TRUE(events[0].customer_notice().has_expected_by());
}

TEST_F(WorkorderIntegrationTest, ABatchOpensItsTicketsInOneGoAndItsNearDuplicatesJoinOriginalsFromTheSameBatch) {
  // Real waimai reviews: two complaints, a near-duplicate of the first that
  // arrives in the same batch, and praise.
  auto slow = Classified(UniqueName("fb"), "送餐实在太慢了，整2个小时，辣菜也不注明，失望", ppb::PRIORITY_P2_IMPORTANT);
  auto cold = Classified(UniqueName("fb"), "历时一小时，送到时菜都凉了", ppb::PRIORITY_P2_IMPORTANT);
  auto dup = Classified(UniqueName("fb"), "送餐太慢", ppb::PRIORITY_P2_IMPORTANT);
  dup.mutable_feedback()->set_duplicate_of(slow.feedback().feedback_id());
  auto praise = Classified(UniqueName("fb"), "很好吃，送餐也快", ppb::PRIORITY_P4_ROUTINE);
  praise.set_needs_action(false);
  // The duplicate comes first: it still finds its original, opened in this batch.
  const std::vector<const cpb::ClassifiedFeedback*> batch = {&dup, &slow, &praise, &cold};
  auto first = a_.tickets->FromClassifiedBatch(batch);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 4u);
  ASSERT_TRUE((*first)[0].has_value() && (*first)[1].has_value() && (*first)[3].has_value());
  EXPECT_FALSE((*first)[2].has_value());  // praise opens nothing
  EXPECT_FALSE((*first)[0]->created);     // joined
  EXPECT_TRUE((*first)[1]->created);
  EXPECT_TRUE((*first)[3]->created);
  EXPECT_EQ((*first)[0]->ticket.ticket_id(), (*first)[1]->ticket.ticket_id());
  EXPECT_NE((*first)[1]->ticket.ticket_id(), (*first)[3]->ticket.ticket_id());
  auto joined = b_.store->Get((*first)[1]->ticket.ticket_id());
  ASSERT_TRUE(joined.ok()) << joined.status();
  EXPECT_EQ(joined->feedback_ids_size(), 2);

  // The batch redelivered to the other replica: the same tickets, nothing new.
  auto again = b_.tickets->FromClassifiedBatch(batch);
  ASSERT_TRUE(again.ok()) << again.status();
  for (size_t i : {0u, 1u, 3u}) {
    ASSERT_TRUE((*again)[i].has_value());
    EXPECT_FALSE((*again)[i]->created) << i;
    EXPECT_EQ((*again)[i]->ticket.ticket_id(), (*first)[i]->ticket.ticket_id()) << i;
  }
  auto reread = a_.store->Get((*first)[1]->ticket.ticket_id());
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(reread->feedback_ids_size(), 2);
  EXPECT_EQ(reread->version(), joined->version());
}

TEST_F(WorkorderIntegrationTest, ARedAlertRaisesTheTicketClassificationOpenedFirst) {
  const std::string fb = UniqueName("fb");
  // A real car complaint title; classification was faster than alerting here.
  auto classified = a_.tickets->FromClassified(Classified(fb, "刹车失灵，差点追尾", ppb::PRIORITY_P2_IMPORTANT));
  ASSERT_TRUE(classified.ok() && classified->has_value());
  apb::AlertEvent e;
  e.set_type(apb::ALERT_EVENT_TYPE_RAISED);
  e.mutable_alert()->set_alert_id("ra-" + fb);
  e.mutable_alert()->set_kind(apb::ALERT_KIND_RED_ALERT);
  e.mutable_alert()->set_feedback_id(fb);
  for (int i = 0; i < 2; ++i) {  // redelivered: raised once
    auto raised = b_.tickets->FromAlert(e);
    ASSERT_TRUE(raised.ok() && raised->has_value()) << raised.status();
    EXPECT_FALSE((*raised)->created);
    EXPECT_EQ((*raised)->ticket.ticket_id(), (*classified)->ticket.ticket_id());
    EXPECT_EQ((*raised)->ticket.priority(), ppb::PRIORITY_P0_CRITICAL);
    EXPECT_EQ((*raised)->ticket.alert_id(), "ra-" + fb);
    EXPECT_EQ((*raised)->ticket.version(), 2);
    // On the wall clock: the policy's P0 response (10 min in this test).
    EXPECT_EQ((*raised)->ticket.response_due().seconds(), now_ms_.load() / 1000 + 600);
  }
  int raised_events = 0;
  for (const auto& ev : Outbox(a_)) raised_events += ev.type() == pb::TICKET_EVENT_TYPE_PRIORITY_CHANGED;
  EXPECT_EQ(raised_events, 1);
}

pb::Agent MakeAgent(const std::string& id, int capacity, std::vector<std::string> skills, bool active = true) {
  pb::Agent a;
  a.set_agent_id(id);
  a.set_capacity(capacity);
  a.set_active(active);
  for (auto& s : skills) a.add_skills(s);
  return a;
}

TEST_F(WorkorderIntegrationTest, AssignmentBySkillThenLoadWithinCapacityQueuesAndHandsOutWhenCapacityFrees) {
  ASSERT_TRUE(a_.tickets->UpsertAgent(MakeAgent("li", 1, {"logistics.late_food_delivery"})).ok());
  ASSERT_TRUE(a_.tickets->UpsertAgent(MakeAgent("wang", 2, {})).ok());  // generalist
  ASSERT_TRUE(a_.tickets->UpsertAgent(MakeAgent("zhao", 5, {}, /*active=*/false)).ok());
  auto open = [&](const std::string& tag) {
    auto c = Classified(UniqueName("fb"), "等了接近两个小时，太慢了", ppb::PRIORITY_P2_IMPORTANT);
    c.mutable_tags(0)->set_code(tag);
    auto t = a_.tickets->FromClassified(c);
    EXPECT_TRUE(t.ok() && t->has_value()) << t.status();
    return a_.store->Get((*t)->ticket.ticket_id()).value();
  };
  const pb::Ticket t1 = open("logistics.late_food_delivery");
  EXPECT_EQ(t1.assignee(), "li");  // skill match first
  EXPECT_EQ(open("food_quality.taste").assignee(), "wang");
  EXPECT_EQ(open("logistics.late_food_delivery").assignee(), "wang");  // li is full: least load next
  const pb::Ticket t4 = open("logistics.late_food_delivery");
  EXPECT_TRUE(t4.assignee().empty());  // nobody has room (zhao is off shift): queued
  auto loads = a_.store->Loads();
  ASSERT_TRUE(loads.ok());
  EXPECT_EQ((*loads)["li"], 1);
  EXPECT_EQ((*loads)["wang"], 2);

  // li finishes t1: capacity frees and the queued ticket goes out.
  for (auto s : {pb::TICKET_STATE_IN_PROGRESS, pb::TICKET_STATE_AWAITING_VERIFICATION, pb::TICKET_STATE_DONE}) {
    Transition(a_, t1.ticket_id(), s);
  }
  EXPECT_EQ(a_.store->Loads().value()["li"], 0);
  auto assigned = b_.tickets->AssignQueued(10);
  ASSERT_TRUE(assigned.ok()) << assigned.status();
  EXPECT_EQ(*assigned, 1);
  EXPECT_EQ(a_.store->Get(t4.ticket_id())->assignee(), "li");
  EXPECT_TRUE(a_.store->Queued(10)->empty());

  // An English-speaking customer goes to an agent who speaks English.
  pb::Agent en = MakeAgent("smith", 3, {});
  en.add_languages("en");
  ASSERT_TRUE(a_.tickets->UpsertAgent(en).ok());
  pb::Agent zh = MakeAgent("qian", 3, {});
  zh.add_languages("zh-CN");
  ASSERT_TRUE(a_.tickets->UpsertAgent(zh).ok());
  auto english = Classified(UniqueName("fb"), "@Uber_Support I never received my order",
                            ppb::PRIORITY_P2_IMPORTANT);  // a real complaint tweet (complaint_tweets_en.csv)
  english.mutable_feedback()->set_language("en-US");
  english.mutable_tags(0)->set_code("service.unresponsive");
  auto en_ticket = a_.tickets->FromClassified(english);
  ASSERT_TRUE(en_ticket.ok() && en_ticket->has_value());
  EXPECT_EQ(a_.store->Get((*en_ticket)->ticket.ticket_id())->assignee(), "smith");

  // A manual reassign moves the load.
  pb::AssignTicketRequest req;
  req.set_ticket_id(t4.ticket_id());
  req.set_assignee("wang");
  req.set_actor("supervisor.qian");
  ASSERT_TRUE(a_.tickets->Assign(req).ok());
  loads = a_.store->Loads();
  EXPECT_EQ((*loads)["li"], 0);
  EXPECT_EQ((*loads)["wang"], 3);  // a supervisor may exceed capacity
}

TEST_F(WorkorderIntegrationTest, TwoReplicasAssigningAtOnceNeverExceedCapacity) {
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) {  // opened before any agent exists: unassigned
    auto t = a_.tickets->FromClassified(Classified(UniqueName("fb"), "口感一般,卷饼有些硬", ppb::PRIORITY_P3_URGENT));
    ASSERT_TRUE(t.ok() && t->has_value());
    ids.push_back((*t)->ticket.ticket_id());
  }
  for (const char* id : {"a1", "a2", "a3"}) ASSERT_TRUE(a_.tickets->UpsertAgent(MakeAgent(id, 2, {})).ok());
  auto assign_all = [&](Replica& r, bool reverse) {
    for (size_t k = 0; k < ids.size(); ++k) {
      const std::string& id = ids[reverse ? ids.size() - 1 - k : k];
      auto t = r.tickets->AutoAssign(id);
      EXPECT_TRUE(t.ok() || absl::IsResourceExhausted(t.status())) << t.status();
    }
  };
  std::thread ta([&] { assign_all(a_, false); }), tb([&] { assign_all(b_, true); });
  ta.join();
  tb.join();
  std::map<std::string, int> held;
  for (const std::string& id : ids) {
    const std::string who = a_.store->Get(id)->assignee();
    if (!who.empty()) ++held[who];
  }
  EXPECT_EQ(held.size(), 3u);
  for (const auto& [agent, n] : held) EXPECT_EQ(n, 2) << agent;
  auto loads = a_.store->Loads();
  for (const char* id : {"a1", "a2", "a3"}) EXPECT_EQ((*loads)[id], 2) << id;
  EXPECT_EQ(a_.store->Queued(100)->size(), 14u);
}

TEST_F(WorkorderIntegrationTest, WaitingOnTheCustomerPausesTheDeadlinesAndResumingMovesThem) {
  // Monday 10:00 Shanghai, P2 from the classification: response 24 working hours.
  auto created = a_.tickets->FromClassified(Classified(UniqueName("fb"), "订单号是多少？东西一直没到", ppb::PRIORITY_P2_IMPORTANT));
  ASSERT_TRUE(created.ok() && created->has_value());
  const pb::Ticket t0 = (*created)->ticket;
  const std::string id = t0.ticket_id();
  ASSERT_EQ(a_.tickets->TimersFor(t0).size(), 4u);
  pb::SetWaitingOnCustomerRequest req;
  req.set_ticket_id(id);
  req.set_actor("agent.wu");
  req.set_waiting(true);
  req.set_note("asked for the order number");
  auto waiting = a_.tickets->SetWaiting(req);
  ASSERT_TRUE(waiting.ok()) << waiting.status();
  EXPECT_TRUE(waiting->waiting_on_customer());
  EXPECT_TRUE(a_.tickets->TimersFor(*waiting).empty());  // no warning or breach while paused
  // The customer answers Tuesday 11:00: 7.5 + 1 = 8.5 working hours paused.
  now_ms_ = absl::ToUnixMillis(absl::FromCivil(absl::CivilSecond(2026, 6, 9, 11, 0, 0), Shanghai()));
  req.set_waiting(false);
  auto resumed = b_.tickets->SetWaiting(req);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_FALSE(resumed->waiting_on_customer());
  EXPECT_EQ(resumed->paused().seconds(), 8 * 3600 + 30 * 60);
  // The response was due Thursday 11:30; it moves by the 8.5 working hours:
  // Thu 11:30 → 12:00 (0.5 h), 13:30 → 18:00 (4.5 h), Fri 09:00 → 12:00 (3 h), 13:30 → 14:00 (0.5 h).
  EXPECT_EQ(absl::FromUnixSeconds(resumed->response_due().seconds()),
            absl::FromCivil(absl::CivilSecond(2026, 6, 12, 14, 0, 0), Shanghai()));
  EXPECT_EQ(a_.tickets->TimersFor(*resumed).size(), 4u);
  req.set_waiting(false);
  auto again = b_.tickets->SetWaiting(req);  // not waiting: nothing changes
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version(), resumed->version());
}

TEST_F(WorkorderIntegrationTest, TwoReplicasRacingLoseNoUpdate) {
  auto created = a_.tickets->FromClassified(Classified(UniqueName("fb"), "口感一般,卷饼有些硬", ppb::PRIORITY_P3_URGENT));
  ASSERT_TRUE(created.ok() && created->has_value());
  const std::string id = (*created)->ticket.ticket_id();
  // 2 x 100 comments at once: every one lands (optimistic retries), versions are 1..201.
  constexpr int kEach = 100;
  auto comment = [&](Replica& r, const std::string& who) {
    for (int i = 0; i < kEach; ++i) {
      pb::AddCommentRequest req;
      req.set_ticket_id(id);
      req.set_actor(who);
      req.set_text(absl::StrCat(who, " note ", i));
      auto t = r.tickets->Comment(req);
      EXPECT_TRUE(t.ok()) << t.status();
    }
  };
  std::thread ta([&] { comment(a_, "a"); }), tb([&] { comment(b_, "b"); });
  ta.join();
  tb.join();
  auto t = a_.store->Get(id);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->version(), 1 + 2 * kEach);
  auto audit = b_.store->Audit(id);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 1u + 2 * kEach);
  std::set<int64_t> versions;
  for (const auto& e : *audit) versions.insert(e.version());
  EXPECT_EQ(versions.size(), 1u + 2 * kEach);

  // With the version they read, two replicas start the same ticket: one wins, one is told to re-read.
  const int64_t v = t->version();
  pb::TransitionTicketRequest req;
  req.set_ticket_id(id);
  req.set_to_state(pb::TICKET_STATE_IN_PROGRESS);
  req.set_actor("agent.a");
  req.set_expected_version(v);
  auto won = a_.tickets->Transition(req);
  ASSERT_TRUE(won.ok()) << won.status();
  req.set_actor("agent.b");
  auto lost = b_.tickets->Transition(req);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), absl::StatusCode::kAborted);
  // Merging: the duplicate ticket's feedback moves to the survivor.
  auto other = a_.tickets->FromClassified(Classified(UniqueName("fb"), "卷饼有些硬", ppb::PRIORITY_P3_URGENT));
  ASSERT_TRUE(other.ok() && other->has_value());
  pb::TransitionTicketRequest merge;
  merge.set_ticket_id((*other)->ticket.ticket_id());
  merge.set_to_state(pb::TICKET_STATE_MERGED);
  merge.set_actor("agent.a");
  EXPECT_EQ(a_.tickets->Transition(merge).status().code(), absl::StatusCode::kInvalidArgument);  // into what?
  merge.set_merge_into(id);
  auto merged = a_.tickets->Transition(merge);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(merged->merged_into(), id);
  auto survivor = a_.store->Get(id);
  ASSERT_TRUE(survivor.ok());
  EXPECT_EQ(survivor->feedback_ids_size(), 2);
  // An illegal transition says what is allowed.
  req.set_expected_version(0);
  req.set_to_state(pb::TICKET_STATE_CLOSED);
  auto illegal = b_.tickets->Transition(req);
  EXPECT_EQ(illegal.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(illegal.status().message(), HasSubstr("allowed: awaiting_verification, pending, cancelled, merged"));
  // Indexes follow: listed as in progress, no longer as pending.
  TicketFilter f;
  f.state = pb::TICKET_STATE_IN_PROGRESS;
  auto page = a_.store->List(f, "", 50);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->tickets.size(), 1u);
  EXPECT_EQ(page->tickets[0].ticket_id(), id);
  f.state = pb::TICKET_STATE_PENDING;
  EXPECT_TRUE(a_.store->List(f, "", 50)->tickets.empty());
}

TEST_F(WorkorderIntegrationTest, EachDeadlineFiresOnceAcrossReplicasAndAfterARestart) {
  // Five red-alert tickets (P0: 10 min response, 60 min resolution on the wall clock).
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    apb::AlertEvent e;
    e.set_type(apb::ALERT_EVENT_TYPE_RAISED);
    e.mutable_alert()->set_alert_id(UniqueName("ra"));
    e.mutable_alert()->set_kind(apb::ALERT_KIND_RED_ALERT);
    e.mutable_alert()->set_category(apb::ALERT_CATEGORY_SAFETY);
    e.mutable_alert()->set_summary("刹车失灵，高速上差点出事故");
    auto t = a_.tickets->FromAlert(e);
    ASSERT_TRUE(t.ok() && t->has_value()) << t.status();
    EXPECT_EQ((*t)->ticket.priority(), ppb::PRIORITY_P0_CRITICAL);
    ids.push_back((*t)->ticket.ticket_id());
    ASSERT_FALSE(b_.tickets->FromAlert(e)->value().created);  // once per alert
  }
  // Replica b claims the first warnings and "dies" before firing them.
  now_ms_ += absl::ToInt64Milliseconds(absl::Minutes(8) + absl::Seconds(1));  // past 0.8 x 10 min
  auto claimed = b_.store->ClaimDue(clock_(), absl::Seconds(30), 100);
  ASSERT_TRUE(claimed.ok());
  EXPECT_EQ(claimed->size(), 5u);
  auto during_lease = a_.tickets->FireDue(absl::Seconds(30), 100);
  ASSERT_TRUE(during_lease.ok());
  EXPECT_EQ(*during_lease, 0);  // b holds them

  // The lease runs out; both replicas tick side by side until the resolution deadlines pass.
  std::atomic<int> fired{0};
  for (int minute = 0; minute < 60; ++minute) {
    now_ms_ += 60 * 1000;
    std::thread ta([&] { fired += *a_.tickets->FireDue(absl::Seconds(30), 100); });
    std::thread tb([&] { fired += *b_.tickets->FireDue(absl::Seconds(30), 100); });
    ta.join();
    tb.join();
  }
  EXPECT_EQ(fired.load(), 5 * 4);  // response + resolution, warning + breach
  std::map<std::string, int> per_ticket;
  for (const auto& e : Outbox(a_)) {
    if (e.type() == pb::TICKET_EVENT_TYPE_DEADLINE_WARNING || e.type() == pb::TICKET_EVENT_TYPE_DEADLINE_BREACHED) {
      ++per_ticket[absl::StrCat(e.ticket_id(), pb::TicketEventType_Name(e.type()), e.deadline_kind())];
    }
  }
  EXPECT_EQ(per_ticket.size(), 5u * 4);
  for (const auto& [k, n] : per_ticket) EXPECT_EQ(n, 1) << k;
}

TEST_F(WorkorderIntegrationTest, TheLoopClosesWithASurveyAndAnUnhappyAnswerReopensAndAlerts) {
  config_.tickets_topic = CreateTopic("t.tickets", 1);
  config_.alerts_topic = CreateTopic("t.alerts", 1);
  config_.producer.brokers = KafkaBrokers();
  auto producer = kafka::Producer::Create(config_.producer);
  ASSERT_TRUE(producer.ok());
  prometheus::Registry registry;
  WorkorderMetrics metrics(registry);
  OutboxRelay relay(config_, *a_.store, **producer, metrics, "relay-a");
  PlanStore plans(*b_.redis, config_.redis_key_prefix);
  WorkorderGrpcService api(*b_.tickets, *b_.store, plans, clock_);

  auto happy = a_.tickets->FromClassified(Classified(UniqueName("fb"), "房间太小，隔音很差", ppb::PRIORITY_P2_IMPORTANT));
  auto unhappy = a_.tickets->FromClassified(Classified(UniqueName("fb"), "等了接近两个小时，太慢了", ppb::PRIORITY_P2_IMPORTANT));
  ASSERT_TRUE(happy.ok() && unhappy.ok());
  for (const std::string& id : {(*happy)->ticket.ticket_id(), (*unhappy)->ticket.ticket_id()}) {
    for (auto s : {pb::TICKET_STATE_IN_PROGRESS, pb::TICKET_STATE_AWAITING_VERIFICATION, pb::TICKET_STATE_DONE}) {
      Transition(a_, id, s);
    }
  }
  pb::RecordSurveyRequest survey;
  survey.set_ticket_id((*happy)->ticket.ticket_id());
  survey.set_response_id("resp-1");
  survey.mutable_survey()->set_csat(5);
  survey.mutable_survey()->set_nps(9);
  pb::Ticket out;
  ASSERT_TRUE(api.RecordSurvey(nullptr, &survey, &out).ok());
  EXPECT_EQ(out.survey().csat(), 5);
  EXPECT_EQ(Transition(a_, out.ticket_id(), pb::TICKET_STATE_CLOSED).state(), pb::TICKET_STATE_CLOSED);

  survey.set_ticket_id((*unhappy)->ticket.ticket_id());
  survey.set_response_id("resp-2");
  survey.mutable_survey()->set_csat(1);
  survey.mutable_survey()->set_comment("还是没人管");
  ASSERT_TRUE(api.RecordSurvey(nullptr, &survey, &out).ok());
  EXPECT_EQ(out.state(), pb::TICKET_STATE_IN_PROGRESS);
  EXPECT_EQ(out.reopen_count(), 1);
  ASSERT_TRUE(api.RecordSurvey(nullptr, &survey, &out).ok());  // the same answer again: nothing changes
  EXPECT_EQ(out.reopen_count(), 1);

  // The relay publishes every event, and the unhappy reopen as an alert for the supervisor.
  int published = 0;
  for (int i = 0; i < 10; ++i) {
    auto n = relay.RunOnce(100);
    ASSERT_TRUE(n.ok()) << n.status();
    published += *n;
    if (*n == 0) break;
  }
  kafka::ConsumerConfig cc;
  cc.brokers = KafkaBrokers();
  cc.group_id = UniqueName("reader");
  cc.topics = {config_.tickets_topic, config_.alerts_topic};
  auto consumer = kafka::Consumer::Create(cc);
  ASSERT_TRUE(consumer.ok());
  std::vector<pb::TicketEvent> events;
  std::vector<apb::AlertEvent> alerts;
  ASSERT_TRUE(WaitFor([&] {
    auto got = (*consumer)->Poll(500, absl::Milliseconds(200));
    for (const auto& m : got.ok() ? *got : std::vector<kafka::Message>{}) {
      if (m.topic == config_.tickets_topic) {
        events.emplace_back().ParseFromString(m.value);
      } else {
        alerts.emplace_back().ParseFromString(m.value);
      }
    }
    return static_cast<int>(events.size()) >= published && !alerts.empty();
  }));
  (*consumer)->Close();
  std::set<std::string> ids;
  std::map<std::string, int> types;
  for (const auto& e : events) {
    ids.insert(e.event_id());
    ++types[pb::TicketEventType_Name(e.type())];
  }
  EXPECT_EQ(ids.size(), events.size());  // distinct, deterministic ids
  EXPECT_EQ(types["TICKET_EVENT_TYPE_CREATED"], 2);
  EXPECT_EQ(types["TICKET_EVENT_TYPE_SURVEY_REQUESTED"], 2);
  EXPECT_EQ(types["TICKET_EVENT_TYPE_SURVEY_RECORDED"], 2);
  EXPECT_EQ(types["TICKET_EVENT_TYPE_REOPENED"], 1);
  EXPECT_GE(types["TICKET_EVENT_TYPE_CUSTOMER_NOTICE"], 4);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].alert().kind(), apb::ALERT_KIND_UNHAPPY_CUSTOMER);
  EXPECT_EQ(alerts[0].alert().ticket_id(), (*unhappy)->ticket.ticket_id());
  EXPECT_THAT(alerts[0].alert().summary(), HasSubstr("CSAT 1"));

  // Who did what, when (SEC-3).
  pb::GetAuditTrailRequest areq;
  areq.set_ticket_id((*unhappy)->ticket.ticket_id());
  pb::GetAuditTrailResponse trail;
  ASSERT_TRUE(api.GetAuditTrail(nullptr, &areq, &trail).ok());
  std::vector<std::string> actions;
  for (const auto& e : trail.entries()) actions.push_back(e.action());
  EXPECT_THAT(actions, ::testing::ElementsAre("create", "transition", "transition", "transition", "survey", "reopen"));
}


TEST_F(WorkorderIntegrationTest, ImprovementPlansWithFiveWhysGoalsAndProgressUnderVersions) {
  PlanStore plans(*a_.redis, config_.redis_key_prefix);
  WorkorderGrpcService api(*a_.tickets, *a_.store, plans, clock_);
  pb::ImprovementPlan p;
  p.set_problem("送餐超时（普遍问题，logistics.late_food_delivery）");
  for (const char* why : {"骑手单量过多", "高峰期运力不足", "排班未按订单预测", "没有预测数据", "数据团队未接入订单系统"}) {
    p.add_five_whys(why);
  }
  p.set_root_cause("排班未使用订单预测");
  p.set_goal_metric("超时率");
  p.set_baseline(0.18);
  p.set_target(0.05);
  p.add_measures("高峰期动态排班");
  p.set_owner("ops.liu");
  p.mutable_start_date()->set_seconds(absl::ToUnixSeconds(clock_()));
  p.mutable_end_date()->set_seconds(absl::ToUnixSeconds(clock_() + absl::Hours(24 * 30)));
  p.set_acceptance_criterion("连续四周超时率 < 5%");
  p.add_tag_codes("logistics.late_food_delivery");
  pb::ImprovementPlan created;
  ASSERT_TRUE(api.CreatePlan(nullptr, &p, &created).ok());
  EXPECT_EQ(created.version(), 1);
  EXPECT_EQ(created.state(), pb::PLAN_STATE_PLANNED);
  EXPECT_EQ(created.five_whys_size(), 5);

  pb::ImprovementPlan bad = p;
  bad.clear_owner();
  pb::ImprovementPlan out;
  grpc::Status st = api.CreatePlan(nullptr, &bad, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(st.error_message(), HasSubstr("owner"));
  bad = p;
  bad.add_five_whys("a sixth why");
  EXPECT_EQ(api.CreatePlan(nullptr, &bad, &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  pb::ImprovementPlan update = created;
  update.set_state(pb::PLAN_STATE_IN_PROGRESS);
  pb::ProgressNote* note = update.add_progress_notes();
  note->set_author("ops.liu");
  note->set_note("两个城市试点动态排班");
  note->set_percent(30);
  pb::ImprovementPlan updated;
  ASSERT_TRUE(api.UpdatePlan(nullptr, &update, &updated).ok());
  EXPECT_EQ(updated.version(), 2);
  EXPECT_EQ(updated.progress_notes_size(), 1);
  EXPECT_EQ(api.UpdatePlan(nullptr, &update, &out).error_code(), grpc::StatusCode::ABORTED);  // stale

  pb::ListPlansRequest list;
  list.set_state(pb::PLAN_STATE_IN_PROGRESS);
  pb::ListPlansResponse listed;
  ASSERT_TRUE(api.ListPlans(nullptr, &list, &listed).ok());
  ASSERT_EQ(listed.plans_size(), 1);
  EXPECT_EQ(listed.plans(0).plan_id(), created.plan_id());
  list.set_state(pb::PLAN_STATE_PLANNED);
  pb::ListPlansResponse none;
  ASSERT_TRUE(api.ListPlans(nullptr, &list, &none).ok());
  EXPECT_EQ(none.plans_size(), 0);

  pb::DeletePlanRequest del;
  del.set_plan_id(created.plan_id());
  del.set_expected_version(1);
  pb::DeletePlanResponse deleted;
  EXPECT_EQ(api.DeletePlan(nullptr, &del, &deleted).error_code(), grpc::StatusCode::ABORTED);
  del.set_expected_version(2);
  ASSERT_TRUE(api.DeletePlan(nullptr, &del, &deleted).ok());
  pb::GetPlanRequest get;
  get.set_plan_id(created.plan_id());
  EXPECT_EQ(api.GetPlan(nullptr, &get, &out).error_code(), grpc::StatusCode::NOT_FOUND);
}

// A 32-hex-digit pseudonym unique to this run.
std::string TestPseudonym() {
  std::random_device rd;
  std::string out = "c_";
  for (int i = 0; i < 32; ++i) out.push_back("0123456789abcdef"[rd() % 16]);
  return out;
}

// Issue #10: erasing one customer from the tickets through the API.
TEST_F(WorkorderIntegrationTest, ErasingACustomerErasesTheirTicketTextOnlyAndOnce) {
  const std::string alice = TestPseudonym(), bob = TestPseudonym();
  const ErasureAudit audit{UniqueName("fbl:test:erasure"), 1000};
  PlanStore plans(*b_.redis, config_.redis_key_prefix);
  WorkorderGrpcService api(*b_.tickets, *b_.store, plans, clock_, audit);

  // Real waimai complaints; comments, notes and the reason are hand-written.
  auto open = [&](const std::string& who, const std::string& text, bool with_l3) {
    cpb::ClassifiedFeedback c = Classified(UniqueName("fb"), text, ppb::PRIORITY_P2_IMPORTANT);
    c.mutable_feedback()->set_customer_pseudonym(who);
    if (!with_l3) c.clear_tags();
    auto t = a_.tickets->FromClassified(c);
    EXPECT_TRUE(t.ok() && t->has_value()) << t.status();
    return (*t)->ticket.ticket_id();
  };
  auto comment = [&](const std::string& id, const std::string& text) {
    pb::AddCommentRequest req;
    req.set_ticket_id(id);
    req.set_text(text);
    req.set_actor("agent.wu");
    ASSERT_TRUE(a_.tickets->Comment(req).ok());
  };
  const std::string a1 = open(alice, "送餐实在太慢了，整2个小时，辣菜也不注明，失望", false);
  const std::string a2 = open(alice, "等了接近两个小时，太慢了", true);
  const std::string b1 = open(bob, "房间太小，隔音很差", false);
  comment(a1, "已致电客户，答应补偿");
  comment(b1, "已致电客户，答应补偿");
  pb::TransitionTicketRequest tr;
  tr.set_ticket_id(a2);
  tr.set_to_state(pb::TICKET_STATE_IN_PROGRESS);
  tr.set_actor("agent.wu");
  tr.set_note("客户说等了两个小时");
  ASSERT_TRUE(a_.tickets->Transition(tr).ok());
  pb::RecordSurveyRequest survey;
  survey.set_ticket_id(a2);
  survey.set_response_id("resp-erase");
  survey.mutable_survey()->set_csat(2);
  survey.mutable_survey()->set_comment("还是没人管");
  ASSERT_TRUE(a_.tickets->RecordSurvey(survey).ok());
  auto bob_before = a_.store->Get(b1);
  ASSERT_TRUE(bob_before.ok());
  auto bob_trail_before = a_.store->AuditRaw(b1);
  ASSERT_TRUE(bob_trail_before.ok());
  // Outbox events since the last call (read and acknowledged).
  auto drain = [&] {
    auto entries = a_.store->ReadOutbox("erase-reader", 100000, absl::Hours(1));
    EXPECT_TRUE(entries.ok()) << entries.status();
    std::vector<std::string> ids;
    std::vector<pb::TicketEvent> out;
    for (auto& e : *entries) {
      ids.push_back(e.id);
      out.push_back(e.event);
    }
    EXPECT_TRUE(a_.store->AckOutbox(ids).ok());
    return out;
  };
  (void)drain();  // what was there before

  // Bad requests change nothing.
  pb::EraseCustomerRequest req;
  pb::EraseCustomerResponse resp;
  req.set_customer_pseudonym("c_" + alice);
  req.set_reason("request 2026-118");
  EXPECT_EQ(api.EraseCustomer(nullptr, &req, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  req.set_customer_pseudonym(alice);
  req.set_reason("");
  EXPECT_EQ(api.EraseCustomer(nullptr, &req, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // Without erase_text the tickets are found and left as they are.
  req.set_reason("request 2026-118, phone 13812345678");
  ASSERT_TRUE(api.EraseCustomer(nullptr, &req, &resp).ok());
  EXPECT_EQ(resp.tickets_found(), 2);
  EXPECT_EQ(resp.tickets_changed(), 0);

  req.set_erase_text(true);
  ASSERT_TRUE(api.EraseCustomer(nullptr, &req, &resp).ok());
  EXPECT_EQ(resp.tickets_found(), 2);
  EXPECT_EQ(resp.tickets_changed(), 2);
  EXPECT_FALSE(resp.audit_entry_id().empty());

  for (const std::string& id : {a1, a2}) {
    auto t = a_.store->Get(id);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->summary(), "[ERASED]") << id;
    EXPECT_EQ(t->title(), "[ERASED]") << id;
    EXPECT_EQ(t->customer_pseudonym(), alice);
    auto trail = a_.store->Audit(id);
    ASSERT_TRUE(trail.ok());
    ASSERT_FALSE(trail->empty());
    const pb::AuditEntry& last = trail->back();
    EXPECT_EQ(last.action(), "erase");
    EXPECT_EQ(last.actor(), "anonymous");  // auth off
    EXPECT_EQ(last.version(), t->version());
    EXPECT_THAT(last.detail(), HasSubstr("request 2026-118"));
    EXPECT_THAT(last.detail(), ::testing::Not(HasSubstr("13812345678")));
    for (const pb::AuditEntry& e : *trail) {
      EXPECT_THAT(e.detail(), ::testing::Not(HasSubstr("客户"))) << e.action();
      EXPECT_THAT(e.detail(), ::testing::Not(HasSubstr("没人管"))) << e.action();
    }
  }
  auto a2_after = a_.store->Get(a2);
  EXPECT_EQ(a2_after->survey().comment(), "[ERASED]");
  EXPECT_EQ(a2_after->survey().csat(), 2);
  EXPECT_EQ(a2_after->state(), pb::TICKET_STATE_IN_PROGRESS);
  auto a1_trail = a_.store->Audit(a1);
  std::vector<std::string> details;
  for (const auto& e : *a1_trail) details.push_back(e.action() + "|" + e.detail());
  EXPECT_THAT(details, ::testing::Contains("comment|[ERASED]"));

  // The change went through the outbox like every other one.
  int erased_events = 0;
  for (const pb::TicketEvent& e : drain()) {
    if (e.type() != pb::TICKET_EVENT_TYPE_ERASED) continue;
    ++erased_events;
    EXPECT_EQ(e.ticket().summary(), "[ERASED]");
    EXPECT_EQ(e.version(), e.ticket().version());
  }
  EXPECT_EQ(erased_events, 2);

  // The other customer is untouched.
  auto bob_after = a_.store->Get(b1);
  ASSERT_TRUE(bob_after.ok());
  EXPECT_EQ(bob_after->SerializeAsString(), bob_before->SerializeAsString());
  EXPECT_EQ(*a_.store->AuditRaw(b1), *bob_trail_before);

  // The erasure record, with intake's field names.
  auto entries = a_.redis->Command({"XRANGE", audit.stream, "-", "+"});
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->elements().size(), 2u);  // one per accepted call
  std::map<std::string, std::string> fields;
  const auto& kv = entries->elements()[1].elements()[1].elements();
  for (size_t i = 0; i + 1 < kv.size(); i += 2) fields[kv[i].str()] = kv[i + 1].str();
  EXPECT_EQ(entries->elements()[1].elements()[0].str(), resp.audit_entry_id());
  EXPECT_EQ(fields["customer_pseudonym"], alice);
  EXPECT_EQ(fields["records_found"], "2");
  EXPECT_EQ(fields["records_erased"], "2");
  EXPECT_EQ(fields["erase_text"], "true");
  EXPECT_EQ(fields["actor"], "anonymous");
  EXPECT_EQ(fields["service"], "workorder");
  EXPECT_FALSE(fields["at"].empty());
  EXPECT_THAT(fields["reason"], ::testing::Not(HasSubstr("13812345678")));

  // Asked again: found, nothing changes, recorded again.
  const int64_t v1 = a_.store->Get(a1)->version(), v2 = a_.store->Get(a2)->version();
  ASSERT_TRUE(api.EraseCustomer(nullptr, &req, &resp).ok());
  EXPECT_EQ(resp.tickets_found(), 2);
  EXPECT_EQ(resp.tickets_changed(), 0);
  EXPECT_EQ(a_.store->Get(a1)->version(), v1);
  EXPECT_EQ(a_.store->Get(a2)->version(), v2);
  EXPECT_TRUE(drain().empty());

  // A ticket missing from the customer index (stored before it, say) is found
  // only with scan_all.
  const std::string a3 = open(alice, "没有送水没有送水没有送水", false);
  ASSERT_TRUE(a_.redis->Command({"SREM", config_.redis_key_prefix + "ix:customer:" + alice, a3}).ok());
  ASSERT_TRUE(api.EraseCustomer(nullptr, &req, &resp).ok());
  EXPECT_EQ(resp.tickets_found(), 2);
  EXPECT_EQ(a_.store->Get(a3)->summary(), "没有送水没有送水没有送水");
  req.set_scan_all(true);
  ASSERT_TRUE(api.EraseCustomer(nullptr, &req, &resp).ok());
  EXPECT_EQ(resp.tickets_found(), 3);
  EXPECT_EQ(resp.tickets_changed(), 1);
  EXPECT_EQ(a_.store->Get(a3)->summary(), "[ERASED]");
  EXPECT_EQ(a_.store->Get(b1)->version(), bob_before->version());
}

}  // namespace
}  // namespace fbl::workorder
