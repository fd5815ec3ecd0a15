#include "services/analytics/aggregate_store.h"

#include <map>

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

// A whole batch in one call. Each record counts only if its applied marker
// is new; the counts of all new records are summed per hash field, keyword
// and HyperLogLog first and written once each (a batch shares hours and days,
// so this is far fewer writes than one call per record), all atomically.
// KEYS: names, then per record: seen, hour hash, day hash, facts, keywords, HyperLogLogs...
// ARGV: seen ttl, hour ttl, day ttl, #records, #names, (code, name)...,
//       then per record: #HyperLogLogs, id, fact, customer, #fields, fields..., #terms, terms...
// Returns 1 (applied) or 0 (seen before) per record.
const redis::LuaScript& FeedbackBatchScript() {
  static const auto* s = new redis::LuaScript(R"lua(
local seen_ttl, hour_ttl, day_ttl = ARGV[1], ARGV[2], ARGV[3]
local records, names = tonumber(ARGV[4]), tonumber(ARGV[5])
local a, k = 6, 2
for _ = 1, names do redis.call('HSET', KEYS[1], ARGV[a], ARGV[a + 1]); a = a + 2 end
local applied, counters, words, users, ttl = {}, {}, {}, {}, {}
local function add(t, key, member, n)
  local m = t[key]
  if not m then m = {}; t[key] = m end
  m[member] = (m[member] or 0) + n
end
for r = 1, records do
  local seen, hour, day, facts, kw = KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4]
  local hlls = tonumber(ARGV[a])
  local id, fact, customer = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
  local fields = tonumber(ARGV[a + 4])
  local fields_at = a + 5
  local terms = tonumber(ARGV[fields_at + fields])
  local terms_at = fields_at + fields + 1
  a = terms_at + terms
  if redis.call('SET', seen, '1', 'NX', 'EX', seen_ttl) then
    applied[r] = 1
    for f = fields_at, fields_at + fields - 1 do
      add(counters, hour, ARGV[f], 1)
      add(counters, day, ARGV[f], 1)
    end
    ttl[hour], ttl[day] = hour_ttl, day_ttl
    redis.call('HSET', facts, id, fact)
    ttl[facts] = day_ttl
    for t = terms_at, terms_at + terms - 1 do add(words, kw, ARGV[t], 1) end
    if terms > 0 then ttl[kw] = day_ttl end
    if customer ~= '' then
      for h = k + 5, k + 4 + hlls do add(users, KEYS[h], customer, 1) end
    end
  else
    applied[r] = 0
  end
  k = k + 5 + hlls
end
for key, fields in pairs(counters) do
  for field, n in pairs(fields) do redis.call('HINCRBY', key, field, n) end
end
for key, members in pairs(words) do
  for member, n in pairs(members) do redis.call('ZINCRBY', key, n, member) end
end
for key, members in pairs(users) do
  local list = {}
  for member in pairs(members) do list[#list + 1] = member end
  -- PFADD answers 1 when it created or changed the key.
  if redis.call('PFADD', key, unpack(list)) == 1 then ttl[key] = day_ttl end
end
for key, seconds in pairs(ttl) do redis.call('EXPIRE', key, seconds, 'NX') end
return applied
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
  std::map<std::string, std::string> names;
  for (const FeedbackWrite& w : batch) names.insert(w.names.begin(), w.names.end());
  std::vector<std::string> keys = {prefix_ + "names"};
  std::vector<std::string> args = {seen_ttl, hour_ttl, day_ttl, std::to_string(batch.size()),
                                   std::to_string(names.size())};
  for (const auto& [code, name] : names) {
    args.push_back(code);
    args.push_back(name);
  }
  for (const FeedbackWrite& w : batch) {
    keys.insert(keys.end(), {prefix_ + "seen:f:" + w.fact.feedback_id(), prefix_ + "c:h:" + w.hour,
                             prefix_ + "c:d:" + w.day, prefix_ + "f:" + w.day, prefix_ + "kw:" + w.day});
    for (const std::string& f : w.distinct_fields) keys.push_back(absl::StrCat(prefix_, "u:", w.day, ":", f));
    args.insert(args.end(), {std::to_string(w.distinct_fields.size()), w.fact.feedback_id(),
                             w.fact.SerializeAsString(), w.fact.customer(), std::to_string(w.fields.size())});
    args.insert(args.end(), w.fields.begin(), w.fields.end());
    args.push_back(std::to_string(w.fact.terms_size()));
    args.insert(args.end(), w.fact.terms().begin(), w.fact.terms().end());
  }
  auto r = redis_.Eval(FeedbackBatchScript(), keys, args);
  if (!r.ok()) return r.status();
  if (r->elements().size() != batch.size()) {
    return absl::InternalError(absl::StrCat("redis: feedback batch: ", r->elements().size(), " results for ",
                                            batch.size(), " records"));
  }
  return Applied(r->elements());
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
