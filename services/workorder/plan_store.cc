#include "services/workorder/plan_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/runtime/proto_time.h"
#include "libs/text/feedback_id.h"
#include "services/workorder/ids.h"

namespace fbl::workorder {
namespace {

// KEYS: plan, index. ARGV: expected version (0 = create), pb, id, created ms, delete (0/1).
// Returns {'ok', version} | {'conflict', version} | {'missing'}.
const redis::LuaScript kPut(R"lua(
local exp = tonumber(ARGV[1])
local v = redis.call('HGET', KEYS[1], 'v')
if exp == 0 then
  if v then return {'conflict', v} end
else
  if not v then return {'missing'} end
  if tonumber(v) ~= exp then return {'conflict', v} end
end
if ARGV[5] == '1' then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[3])
  return {'ok', '0'}
end
redis.call('HSET', KEYS[1], 'pb', ARGV[2], 'v', exp + 1)
if exp == 0 then redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3]) end
return {'ok', tostring(exp + 1)}
)lua");

using runtime::ToProto;

absl::Status Result(const redis::Reply& r, const std::string& id, int64_t expected) {
  const auto& e = r.elements();
  if (e.empty()) return absl::InternalError("unexpected reply " + r.DebugString());
  if (e[0].str() == "missing") return absl::NotFoundError(absl::StrCat("no plan ", EchoId(id)));
  if (e[0].str() == "conflict") {
    return absl::AbortedError(absl::StrCat("plan ", EchoId(id), " is at version ", e[1].str(), ", not ", expected,
                                           "; read it again"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidatePlan(const pb::ImprovementPlan& p) {
  auto required = [](const std::string& v, const char* name) {
    return v.find_first_not_of(" \t\r\n") == std::string::npos
               ? absl::InvalidArgumentError(absl::StrCat(name, " is required"))
               : absl::OkStatus();
  };
  for (auto s : {required(p.problem(), "problem"), required(p.owner(), "owner"),
                 required(p.goal_metric(), "goal_metric"), required(p.acceptance_criterion(), "acceptance_criterion")}) {
    if (!s.ok()) return s;
  }
  if (p.five_whys_size() > 5) return absl::InvalidArgumentError("five_whys has more than 5 entries");
  if (p.has_start_date() && p.has_end_date() && p.end_date().seconds() < p.start_date().seconds()) {
    return absl::InvalidArgumentError("end_date is before start_date");
  }
  for (int i = 0; i < p.progress_notes_size(); ++i) {
    const int pct = p.progress_notes(i).percent();
    if (pct < 0 || pct > 100) return absl::InvalidArgumentError(absl::StrCat("progress_notes[", i, "].percent must be 0..100"));
  }
  return absl::OkStatus();
}

absl::StatusOr<pb::ImprovementPlan> PlanStore::Create(pb::ImprovementPlan plan, absl::Time now) {
  if (absl::Status s = ValidatePlan(plan); !s.ok()) return s;
  plan.set_plan_id("pl-" + text::NewFeedbackId());
  plan.set_version(1);
  if (plan.state() == pb::PLAN_STATE_UNSPECIFIED) plan.set_state(pb::PLAN_STATE_PLANNED);
  *plan.mutable_created_at() = *plan.mutable_updated_at() = ToProto(now);
  auto r = redis_.Eval(kPut, {Key(plan.plan_id()), prefix_ + "plans"},
                       {"0", plan.SerializeAsString(), plan.plan_id(), std::to_string(absl::ToUnixMillis(now)), "0"});
  if (!r.ok()) return r.status();
  if (absl::Status s = Result(*r, plan.plan_id(), 0); !s.ok()) return s;
  return plan;
}

absl::StatusOr<pb::ImprovementPlan> PlanStore::Get(const std::string& plan_id) {
  auto r = redis_.Command({"HGET", Key(plan_id), "pb"});
  if (!r.ok()) return r.status();
  if (r->is_nil()) return absl::NotFoundError(absl::StrCat("no plan ", EchoId(plan_id)));
  pb::ImprovementPlan p;
  if (!p.ParseFromString(r->str())) return absl::InternalError(absl::StrCat("unreadable plan ", EchoId(plan_id)));
  return p;
}

absl::StatusOr<pb::ImprovementPlan> PlanStore::Update(pb::ImprovementPlan plan, absl::Time now) {
  if (plan.plan_id().empty()) return absl::InvalidArgumentError("plan_id is required");
  if (plan.version() <= 0) return absl::InvalidArgumentError("version is required (the version you read)");
  if (absl::Status s = ValidatePlan(plan); !s.ok()) return s;
  auto current = Get(plan.plan_id());
  if (!current.ok()) return current.status();
  const int64_t expected = plan.version();
  *plan.mutable_created_at() = current->created_at();
  *plan.mutable_updated_at() = ToProto(now);
  plan.set_version(expected + 1);
  auto r = redis_.Eval(kPut, {Key(plan.plan_id()), prefix_ + "plans"},
                       {std::to_string(expected), plan.SerializeAsString(), plan.plan_id(), "0", "0"});
  if (!r.ok()) return r.status();
  if (absl::Status s = Result(*r, plan.plan_id(), expected); !s.ok()) return s;
  return plan;
}

absl::Status PlanStore::Delete(const std::string& plan_id, int64_t expected_version) {
  if (plan_id.empty()) return absl::InvalidArgumentError("plan_id is required");
  if (expected_version <= 0) return absl::InvalidArgumentError("expected_version is required");
  auto r = redis_.Eval(kPut, {Key(plan_id), prefix_ + "plans"},
                       {std::to_string(expected_version), "", plan_id, "0", "1"});
  if (!r.ok()) return r.status();
  return Result(*r, plan_id, expected_version);
}

absl::StatusOr<PlanStore::Page> PlanStore::List(pb::PlanState state, const std::string& page_token, int page_size) {
  int64_t offset = 0;
  if (!page_token.empty() && (!absl::SimpleAtoi(page_token, &offset) || offset < 0)) {
    return absl::InvalidArgumentError("bad page_token");
  }
  auto ids = redis_.Command({"ZREVRANGE", prefix_ + "plans", "0", "-1"});
  if (!ids.ok()) return ids.status();
  Page page;
  int64_t seen = 0;
  for (const auto& id : ids->elements()) {
    auto p = Get(id.str());
    if (!p.ok()) continue;  // deleted meanwhile
    if (state != pb::PLAN_STATE_UNSPECIFIED && p->state() != state) continue;
    if (seen++ < offset) continue;
    if (static_cast<int>(page.plans.size()) == page_size) {
      page.next_page_token = std::to_string(offset + page_size);
      break;
    }
    page.plans.push_back(*std::move(p));
  }
  return page;
}

}  // namespace fbl::workorder
