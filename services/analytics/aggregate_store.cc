#include "services/analytics/aggregate_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/redis/lua_script.h"

namespace fbl::analytics {

namespace pb = ::feedbackloop::analytics::v1;
namespace wpb = ::feedbackloop::workorder::v1;

void BindConfig(config::Binder& b, Retention& c) {
  b.Field("hours", c.hours);
  b.Field("days", c.days);
  if (c.hours < absl::Hours(24)) b.Fail("hours", "must be at least 24h");
  if (c.days < absl::Hours(24 * 35)) b.Fail("days", "must be at least 35 days (monthly reports)");
}

namespace {

// KEYS: seen, hour hash, day hash, facts, keywords, names, HyperLogLogs...
// ARGV: seen ttl, hour ttl, day ttl, id, fact, customer,
//       #fields, fields... ("total" first), #terms, terms..., #names, (code, name)...
const redis::LuaScript& FeedbackScript() {
  static const auto* s = new redis::LuaScript(R"lua(
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
local i = 7
local n = tonumber(ARGV[i]); i = i + 1
-- The first field is "total": 1 after the increment means a new hash.
if redis.call('HINCRBY', KEYS[2], ARGV[i], 1) == 1 then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
if redis.call('HINCRBY', KEYS[3], ARGV[i], 1) == 1 then redis.call('EXPIRE', KEYS[3], ARGV[3]) end
i = i + 1
for _ = 2, n do
  redis.call('HINCRBY', KEYS[2], ARGV[i], 1)
  redis.call('HINCRBY', KEYS[3], ARGV[i], 1)
  i = i + 1
end
redis.call('HSET', KEYS[4], ARGV[4], ARGV[5])
redis.call('EXPIRE', KEYS[4], ARGV[3], 'NX')
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('ZINCRBY', KEYS[5], 1, ARGV[i]); i = i + 1 end
if n > 0 then redis.call('EXPIRE', KEYS[5], ARGV[3], 'NX') end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('HSET', KEYS[6], ARGV[i], ARGV[i + 1]); i = i + 2 end
if ARGV[6] ~= '' then
  for k = 7, #KEYS do
    -- PFADD answers 1 when it created or changed the key.
    if redis.call('PFADD', KEYS[k], ARGV[6]) == 1 then redis.call('EXPIRE', KEYS[k], ARGV[3], 'NX') end
  end
end
return 1
)lua");
  return *s;
}

// KEYS: seen, survey hash. ARGV: seen ttl, day ttl, id, fact.
const redis::LuaScript& SurveyScript() {
  static const auto* s = new redis::LuaScript(R"lua(
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[2], 'NX')
return 1
)lua");
  return *s;
}

// KEYS: seen, hour hash, day hash. ARGV: seen ttl, hour ttl, day ttl, field.
const redis::LuaScript& AlertScript() {
  static const auto* s = new redis::LuaScript(R"lua(
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[4], 1)
redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
redis.call('EXPIRE', KEYS[2], ARGV[2], 'NX')
redis.call('EXPIRE', KEYS[3], ARGV[3], 'NX')
return 1
)lua");
  return *s;
}

// KEYS: ticket hash, created-day set. ARGV: version, snapshot, ttl, ticket id.
// Returns {} when not newer, else {previous snapshot or ''}.
const redis::LuaScript& TicketScript() {
  static const auto* s = new redis::LuaScript(R"lua(
local v = redis.call('HGET', KEYS[1], 'v')
if v and tonumber(v) >= tonumber(ARGV[1]) then return {} end
local old = redis.call('HGET', KEYS[1], 'data') or ''
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'data', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('SADD', KEYS[2], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[3], 'NX')
return {old}
)lua");
  return *s;
}

std::string Secs(absl::Duration d) { return std::to_string(absl::ToInt64Seconds(d)); }

std::vector<bool> Applied(const std::vector<redis::Reply>& replies) {
  std::vector<bool> out;
  out.reserve(replies.size());
  for (const redis::Reply& r : replies) out.push_back(r.integer() == 1);
  return out;
}

void AddHash(const redis::Reply& r, Counts& into) {
  const auto& e = r.elements();
  for (size_t i = 0; i + 1 < e.size(); i += 2) {
    int64_t v = 0;
    if (absl::SimpleAtoi(e[i + 1].str(), &v)) into[e[i].str()] += v;
  }
}

}  // namespace

absl::StatusOr<std::vector<bool>> AggregateStore::AddFeedback(const std::vector<FeedbackWrite>& batch) {
  if (batch.empty()) return std::vector<bool>{};
  const std::string seen_ttl = Secs(retention_.hours), hour_ttl = Secs(retention_.hours),
                    day_ttl = Secs(retention_.days);
  std::vector<redis::Client::ScriptCall> calls;
  calls.reserve(batch.size());
  for (const FeedbackWrite& w : batch) {
    redis::Client::ScriptCall c;
    c.keys = {prefix_ + "seen:f:" + w.fact.feedback_id(), prefix_ + "c:h:" + w.hour, prefix_ + "c:d:" + w.day,
              prefix_ + "f:" + w.day, prefix_ + "kw:" + w.day, prefix_ + "names"};
    for (const std::string& f : w.distinct_fields) c.keys.push_back(absl::StrCat(prefix_, "u:", w.day, ":", f));
    c.args = {seen_ttl, hour_ttl, day_ttl, w.fact.feedback_id(), w.fact.SerializeAsString(), w.fact.customer()};
    c.args.push_back(std::to_string(w.fields.size()));
    c.args.insert(c.args.end(), w.fields.begin(), w.fields.end());
    c.args.push_back(std::to_string(w.fact.terms_size()));
    c.args.insert(c.args.end(), w.fact.terms().begin(), w.fact.terms().end());
    c.args.push_back(std::to_string(w.names.size()));
    for (const auto& [code, name] : w.names) {
      c.args.push_back(code);
      c.args.push_back(name);
    }
    calls.push_back(std::move(c));
  }
  auto r = redis_.EvalMany(FeedbackScript(), calls);
  if (!r.ok()) return r.status();
  return Applied(*r);
}

absl::StatusOr<std::vector<bool>> AggregateStore::AddSurveys(const std::vector<SurveyWrite>& batch) {
  if (batch.empty()) return std::vector<bool>{};
  std::vector<redis::Client::ScriptCall> calls;
  for (const SurveyWrite& w : batch) {
    calls.push_back({{prefix_ + "seen:s:" + w.fact.response_id(), prefix_ + "s:" + w.day},
                     {Secs(retention_.days), Secs(retention_.days), w.fact.response_id(), w.fact.SerializeAsString()}});
  }
  auto r = redis_.EvalMany(SurveyScript(), calls);
  if (!r.ok()) return r.status();
  return Applied(*r);
}

absl::StatusOr<std::vector<bool>> AggregateStore::AddAlerts(const std::vector<AlertWrite>& batch) {
  if (batch.empty()) return std::vector<bool>{};
  std::vector<redis::Client::ScriptCall> calls;
  for (const AlertWrite& w : batch) {
    calls.push_back({{prefix_ + "seen:a:" + w.alert_id, prefix_ + "c:h:" + w.hour, prefix_ + "c:d:" + w.day},
                     {Secs(retention_.days), Secs(retention_.hours), Secs(retention_.days), "alert=" + w.kind}});
  }
  auto r = redis_.EvalMany(AlertScript(), calls);
  if (!r.ok()) return r.status();
  return Applied(*r);
}

absl::StatusOr<std::vector<std::optional<wpb::Ticket>>> AggregateStore::PutTickets(
    const std::vector<TicketWrite>& batch) {
  std::vector<std::optional<wpb::Ticket>> out;
  if (batch.empty()) return out;
  std::vector<redis::Client::ScriptCall> calls;
  for (const TicketWrite& w : batch) {
    calls.push_back({{prefix_ + "t:" + w.ticket.ticket_id(), prefix_ + "tc:" + w.created_day},
                     {std::to_string(w.ticket.version()), w.ticket.SerializeAsString(), Secs(retention_.days),
                      w.ticket.ticket_id()}});
  }
  auto r = redis_.EvalMany(TicketScript(), calls);
  if (!r.ok()) return r.status();
  for (const redis::Reply& reply : *r) {
    if (reply.elements().empty()) {
      out.emplace_back(std::nullopt);
      continue;
    }
    wpb::Ticket previous;
    if (!previous.ParseFromString(reply.elements()[0].str())) previous.Clear();
    out.emplace_back(std::move(previous));
  }
  return out;
}

absl::StatusOr<std::vector<Counts>> AggregateStore::EachBucket(const std::vector<std::string>& labels, bool hours) {
  std::vector<std::vector<std::string>> cmds;
  cmds.reserve(labels.size());
  for (const std::string& l : labels) cmds.push_back({"HGETALL", prefix_ + (hours ? "c:h:" : "c:d:") + l});
  std::vector<Counts> out(labels.size());
  if (cmds.empty()) return out;
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  for (size_t i = 0; i < r->size(); ++i) AddHash((*r)[i], out[i]);
  return out;
}

absl::StatusOr<Counts> AggregateStore::SumHours(const std::vector<std::string>& hours) {
  auto each = EachBucket(hours, true);
  if (!each.ok()) return each.status();
  Counts sum;
  for (const Counts& c : *each)
    for (const auto& [k, v] : c) sum[k] += v;
  return sum;
}

absl::StatusOr<Counts> AggregateStore::SumDays(const std::vector<std::string>& days) {
  auto each = EachBucket(days, false);
  if (!each.ok()) return each.status();
  Counts sum;
  for (const Counts& c : *each)
    for (const auto& [k, v] : c) sum[k] += v;
  return sum;
}

absl::StatusOr<int64_t> AggregateStore::Distinct(const std::vector<std::string>& days, const std::string& field) {
  auto r = DistinctMany(days, {field});
  if (!r.ok()) return r.status();
  return r->front();
}

absl::StatusOr<std::vector<int64_t>> AggregateStore::DistinctMany(const std::vector<std::string>& days,
                                                                  const std::vector<std::string>& fields) {
  std::vector<int64_t> out(fields.size(), 0);
  if (days.empty() || fields.empty()) return out;
  std::vector<std::vector<std::string>> cmds;
  for (const std::string& field : fields) {
    std::vector<std::string> cmd{"PFCOUNT"};
    for (const std::string& d : days) cmd.push_back(absl::StrCat(prefix_, "u:", d, ":", field));
    cmds.push_back(std::move(cmd));
  }
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  for (size_t i = 0; i < r->size(); ++i) out[i] = (*r)[i].integer();
  return out;
}

namespace {

template <typename Fact>
absl::StatusOr<std::vector<Fact>> ReadFacts(redis::Client& redis, const std::string& prefix,
                                            const std::vector<std::string>& days) {
  std::vector<Fact> out;
  if (days.empty()) return out;
  std::vector<std::vector<std::string>> cmds;
  for (const std::string& d : days) cmds.push_back({"HVALS", prefix + d});
  auto r = redis.Pipeline(cmds);
  if (!r.ok()) return r.status();
  for (const redis::Reply& day : *r) {
    for (const redis::Reply& v : day.elements()) {
      Fact f;
      if (f.ParseFromString(v.str())) out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<pb::FeedbackFact>> AggregateStore::Facts(const std::vector<std::string>& days) {
  return ReadFacts<pb::FeedbackFact>(redis_, prefix_ + "f:", days);
}

absl::StatusOr<std::vector<pb::SurveyFact>> AggregateStore::Surveys(const std::vector<std::string>& days) {
  return ReadFacts<pb::SurveyFact>(redis_, prefix_ + "s:", days);
}

absl::StatusOr<Counts> AggregateStore::Keywords(const std::vector<std::string>& days) {
  Counts out;
  if (days.empty()) return out;
  std::vector<std::vector<std::string>> cmds;
  for (const std::string& d : days) cmds.push_back({"ZRANGE", prefix_ + "kw:" + d, "0", "-1", "WITHSCORES"});
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  for (const redis::Reply& day : *r) AddHash(day, out);
  return out;
}

absl::StatusOr<absl::flat_hash_map<std::string, wpb::Ticket>> AggregateStore::Tickets(
    const std::vector<std::string>& ids) {
  absl::flat_hash_map<std::string, wpb::Ticket> out;
  if (ids.empty()) return out;
  std::vector<std::vector<std::string>> cmds;
  for (const std::string& id : ids) cmds.push_back({"HGET", prefix_ + "t:" + id, "data"});
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  for (size_t i = 0; i < r->size(); ++i) {
    wpb::Ticket t;
    if (!(*r)[i].is_nil() && t.ParseFromString((*r)[i].str())) out.emplace(ids[i], std::move(t));
  }
  return out;
}

absl::StatusOr<std::vector<wpb::Ticket>> AggregateStore::TicketsCreated(const std::vector<std::string>& days) {
  std::vector<wpb::Ticket> out;
  if (days.empty()) return out;
  std::vector<std::vector<std::string>> cmds;
  for (const std::string& d : days) cmds.push_back({"SMEMBERS", prefix_ + "tc:" + d});
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  std::vector<std::string> ids;
  for (const redis::Reply& day : *r)
    for (const redis::Reply& id : day.elements()) ids.push_back(id.str());
  auto tickets = Tickets(ids);
  if (!tickets.ok()) return tickets.status();
  for (auto& [id, t] : *tickets) out.push_back(std::move(t));
  return out;
}

absl::StatusOr<absl::flat_hash_map<std::string, std::string>> AggregateStore::Names(
    const std::vector<std::string>& codes) {
  absl::flat_hash_map<std::string, std::string> out;
  if (codes.empty()) return out;
  std::vector<std::string> cmd{"HMGET", prefix_ + "names"};
  cmd.insert(cmd.end(), codes.begin(), codes.end());
  auto r = redis_.Command(cmd);
  if (!r.ok()) return r.status();
  for (size_t i = 0; i < r->elements().size() && i < codes.size(); ++i) {
    if (!r->elements()[i].is_nil()) out[codes[i]] = r->elements()[i].str();
  }
  return out;
}

absl::StatusOr<bool> AggregateStore::Lead(const std::string& owner, absl::Duration lease) {
  const std::string key = prefix_ + "ew:lease";
  const std::string ms = std::to_string(absl::ToInt64Milliseconds(lease));
  auto set = redis_.Command({"SET", key, owner, "NX", "PX", ms});
  if (!set.ok()) return set.status();
  if (!set->is_nil()) return true;
  auto holder = redis_.Command({"GET", key});
  if (!holder.ok()) return holder.status();
  if (holder->str() != owner) return false;
  auto renew = redis_.Command({"PEXPIRE", key, ms});
  if (!renew.ok()) return renew.status();
  return true;
}

absl::StatusOr<absl::flat_hash_map<std::string, std::string>> AggregateStore::LoadState() {
  auto r = redis_.Command({"HGETALL", prefix_ + "ew:state"});
  if (!r.ok()) return r.status();
  absl::flat_hash_map<std::string, std::string> out;
  const auto& e = r->elements();
  for (size_t i = 0; i + 1 < e.size(); i += 2) out[e[i].str()] = e[i + 1].str();
  return out;
}

absl::Status AggregateStore::SaveState(const absl::flat_hash_map<std::string, std::string>& state) {
  const std::string key = prefix_ + "ew:state";
  std::vector<std::vector<std::string>> cmds{{"MULTI"}, {"DEL", key}};
  if (!state.empty()) {
    std::vector<std::string> hset{"HSET", key};
    for (const auto& [k, v] : state) {
      hset.push_back(k);
      hset.push_back(v);
    }
    cmds.push_back(std::move(hset));
  }
  cmds.push_back({"EXEC"});
  auto r = redis_.Pipeline(cmds);
  if (!r.ok()) return r.status();
  if (r->back().is_nil() || r->back().is_error()) return absl::UnavailableError("early-warning state not saved");
  return absl::OkStatus();
}

}  // namespace fbl::analytics
