#include "services/workorder/ticket_store.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/runtime/proto_time.h"
#include "services/workorder/ids.h"

namespace fbl::workorder {
namespace {

// KEYS: ticket, all, outbox, audit, due, old index keys…, new index keys…, idempotency keys…, load
// ARGV: expected version (0 = create), ticket pb, ticket id, created ms, #old, #new, #idem,
//       #events, #audit, #timers, #load deltas, then events…, audit entries…,
//       (timer member, due ms)…, (agent, delta, capacity or -1)…, and optionally
//       #audit rewrites, (list index, entry as read, new entry)… (absent = 0, so
//       callers that predate rewrites, like the benchmark, pass the same ARGV).
// Returns {'ok', version} | {'exists', ticket id} | {'conflict', version} | {'missing'} | {'full', agent}.
const redis::LuaScript kApply(R"lua(
local exp = tonumber(ARGV[1])
local nold, nnew, nidem = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local nev, nau, ntm, nld = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local idem0 = 5 + nold + nnew
local loadkey = KEYS[idem0 + nidem + 1]
local id = ARGV[3]
if exp == 0 then
  for i = 1, nidem do
    local existing = redis.call('GET', KEYS[idem0 + i])
    if existing then return {'exists', existing} end
  end
  if redis.call('EXISTS', KEYS[1]) == 1 then return {'exists', id} end
else
  local v = redis.call('HGET', KEYS[1], 'v')
  if not v then return {'missing'} end
  if tonumber(v) ~= exp then return {'conflict', v} end
end
local a = 12 + nev + nau + 2 * ntm
for i = 0, nld - 1 do
  local agent, delta, cap = ARGV[a + 3 * i], tonumber(ARGV[a + 3 * i + 1]), tonumber(ARGV[a + 3 * i + 2])
  if cap >= 0 and delta > 0 and tonumber(redis.call('HGET', loadkey, agent) or '0') + delta > cap then
    return {'full', agent}
  end
end
local r0 = a + 3 * nld
local nrw = tonumber(ARGV[r0] or '0') or 0
for i = 0, nrw - 1 do
  if redis.call('LINDEX', KEYS[4], ARGV[r0 + 1 + 3 * i]) ~= ARGV[r0 + 2 + 3 * i] then
    return {'conflict', tostring(exp)}
  end
end
local newv = exp + 1
redis.call('HSET', KEYS[1], 'pb', ARGV[2], 'v', newv)
if exp == 0 then redis.call('ZADD', KEYS[2], ARGV[4], id) end
for i = 1, nold do redis.call('SREM', KEYS[5 + i], id) end
for i = 1, nnew do redis.call('SADD', KEYS[5 + nold + i], id) end
for i = 1, nidem do redis.call('SET', KEYS[idem0 + i], id) end
local b = 12
for i = 1, nev do redis.call('XADD', KEYS[3], '*', 'e', ARGV[b]); b = b + 1 end
for i = 1, nau do redis.call('RPUSH', KEYS[4], ARGV[b]); b = b + 1 end
for i = 0, nrw - 1 do redis.call('LSET', KEYS[4], ARGV[r0 + 1 + 3 * i], ARGV[r0 + 3 + 3 * i]) end
redis.call('ZREM', KEYS[5], id .. '|response|warn', id .. '|response|breach', id .. '|resolution|warn',
           id .. '|resolution|breach')
for i = 1, ntm do redis.call('ZADD', KEYS[5], ARGV[b + 1], ARGV[b]); b = b + 2 end
for i = 0, nld - 1 do redis.call('HINCRBY', loadkey, ARGV[a + 3 * i], ARGV[a + 3 * i + 1]) end
return {'ok', tostring(newv)}
)lua");

// KEYS: due. ARGV: now ms, lease-until ms, max. Claims due members by moving
// their score to the lease end (only if still due).
const redis::LuaScript kClaimDue(R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, m in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], m) end
return due
)lua");

// KEYS: due. ARGV: member, lease-until ms.
const redis::LuaScript kDropClaimed(R"lua(
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('ZREM', KEYS[1], ARGV[1]) end
return 1
)lua");

std::string Ms(absl::Time t) { return std::to_string(absl::ToUnixMillis(t)); }

using runtime::FromProto;

}  // namespace

const redis::LuaScript& TicketStore::ApplyScript() { return kApply; }

std::vector<std::string> TicketStore::IndexKeys(const pb::Ticket& t) const {
  std::vector<std::string> keys = {absl::StrCat(prefix_, "ix:state:", static_cast<int>(t.state())),
                                   absl::StrCat(prefix_, "ix:priority:", static_cast<int>(t.priority()))};
  if (!t.department().empty()) keys.push_back(absl::StrCat(prefix_, "ix:department:", t.department()));
  if (!t.assignee().empty()) keys.push_back(absl::StrCat(prefix_, "ix:assignee:", t.assignee()));
  if (!t.customer_pseudonym().empty()) keys.push_back(absl::StrCat(prefix_, "ix:customer:", t.customer_pseudonym()));
  return keys;
}

redis::Client::ScriptCall TicketStore::ApplyCall(const pb::Ticket* before, const pb::Ticket& after,
                                                 const Change& change) const {
  const std::vector<std::string> old_keys = before != nullptr ? IndexKeys(*before) : std::vector<std::string>{};
  const std::vector<std::string> new_keys = IndexKeys(after);
  redis::Client::ScriptCall call;
  std::vector<std::string>& keys = call.keys;
  keys = {TicketKey(after.ticket_id()), prefix_ + "all", OutboxKey(), prefix_ + "audit:" + after.ticket_id(), DueKey()};
  keys.insert(keys.end(), old_keys.begin(), old_keys.end());
  keys.insert(keys.end(), new_keys.begin(), new_keys.end());
  for (const std::string& k : change.idempotency) keys.push_back(prefix_ + "key:" + k);
  keys.push_back(prefix_ + "load");
  std::vector<std::string>& args = call.args;
  args = {before != nullptr ? std::to_string(before->version()) : "0",
          after.SerializeAsString(),
          after.ticket_id(),
          Ms(FromProto(after.created_at())),
          std::to_string(old_keys.size()),
          std::to_string(new_keys.size()),
          std::to_string(change.idempotency.size()),
          std::to_string(change.events.size()),
          std::to_string(change.audit.size()),
          std::to_string(change.timers.size()),
          std::to_string(change.load.size())};
  for (const pb::TicketEvent& e : change.events) args.push_back(e.SerializeAsString());
  for (const pb::AuditEntry& a : change.audit) args.push_back(a.SerializeAsString());
  for (const Timer& t : change.timers) {
    args.push_back(t.member);
    args.push_back(Ms(t.at));
  }
  for (const LoadDelta& l : change.load) {
    args.push_back(l.agent);
    args.push_back(std::to_string(l.delta));
    args.push_back(std::to_string(l.capacity));
  }
  if (!change.audit_rewrites.empty()) {
    args.push_back(std::to_string(change.audit_rewrites.size()));
    for (const AuditRewrite& r : change.audit_rewrites) {
      args.push_back(std::to_string(r.index));
      args.push_back(r.old_entry);
      args.push_back(r.new_entry);
    }
  }
  return call;
}

absl::StatusOr<redis::Reply> TicketStore::Apply(const pb::Ticket* before, const pb::Ticket& after,
                                                 const Change& change) {
  const redis::Client::ScriptCall call = ApplyCall(before, after, change);
  return redis_.Eval(kApply, call.keys, call.args);
}

absl::StatusOr<TicketStore::Created> TicketStore::CreatedFrom(const redis::Reply& reply, pb::Ticket ticket) {
  const auto& e = reply.elements();
  if (e.empty()) return absl::InternalError("unexpected create reply " + reply.DebugString());
  if (e[0].str() == "exists") {
    auto existing = Get(e[1].str());
    if (!existing.ok()) return existing.status();
    return Created{*std::move(existing), false};
  }
  return Created{std::move(ticket), true};
}

absl::StatusOr<TicketStore::Created> TicketStore::Create(pb::Ticket ticket, const Change& change) {
  ticket.set_version(1);
  auto reply = Apply(nullptr, ticket, change);
  if (!reply.ok()) return reply.status();
  return CreatedFrom(*reply, std::move(ticket));
}

absl::StatusOr<std::vector<TicketStore::Created>> TicketStore::CreateMany(std::vector<NewTicket> items) {
  std::vector<redis::Client::ScriptCall> calls;
  calls.reserve(items.size());
  for (NewTicket& n : items) {
    n.ticket.set_version(1);
    calls.push_back(ApplyCall(nullptr, n.ticket, n.change));
  }
  std::vector<Created> out;
  if (calls.empty()) return out;
  auto replies = redis_.EvalMany(kApply, calls);
  if (!replies.ok()) return replies.status();
  if (replies->size() != items.size()) {
    return absl::InternalError(absl::StrCat("create: ", replies->size(), " replies for ", items.size(), " tickets"));
  }
  out.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    auto created = CreatedFrom((*replies)[i], std::move(items[i].ticket));
    if (!created.ok()) return created.status();
    out.push_back(*std::move(created));
  }
  return out;
}

absl::StatusOr<pb::Ticket> TicketStore::Get(const std::string& ticket_id) {
  auto reply = redis_.Command({"HGET", TicketKey(ticket_id), "pb"});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return absl::NotFoundError(absl::StrCat("no ticket ", EchoId(ticket_id)));
  pb::Ticket t;
  if (!t.ParseFromString(reply->str())) return absl::InternalError(absl::StrCat("unreadable ticket ", EchoId(ticket_id)));
  return t;
}

absl::StatusOr<std::optional<std::string>> TicketStore::Lookup(const std::string& key) {
  auto reply = redis_.Command({"GET", prefix_ + "key:" + key});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return std::optional<std::string>();
  return std::optional<std::string>(reply->str());
}

absl::StatusOr<pb::Ticket> TicketStore::Update(const pb::Ticket& before, pb::Ticket after, const Change& change) {
  after.set_version(before.version() + 1);
  auto reply = Apply(&before, after, change);
  if (!reply.ok()) return reply.status();
  const auto& e = reply->elements();
  if (e.empty()) return absl::InternalError("unexpected update reply " + reply->DebugString());
  if (e[0].str() == "missing") return absl::NotFoundError(absl::StrCat("no ticket ", EchoId(before.ticket_id())));
  if (e[0].str() == "full") {
    return absl::ResourceExhaustedError(absl::StrCat("agent ", e[1].str(), " has no capacity left"));
  }
  if (e[0].str() == "conflict") {
    return absl::AbortedError(absl::StrCat("ticket ", EchoId(before.ticket_id()), " changed meanwhile: version ", e[1].str(),
                                           ", not ", before.version(), "; read it again"));
  }
  return after;
}

absl::StatusOr<TicketStore::Page> TicketStore::List(const TicketFilter& filter, const std::string& page_token,
                                                    int page_size) {
  // Candidates: the newest-first id list, narrowed by the index sets.
  std::vector<std::string> sets;
  if (filter.state != pb::TICKET_STATE_UNSPECIFIED) {
    sets.push_back(absl::StrCat(prefix_, "ix:state:", static_cast<int>(filter.state)));
  }
  if (filter.priority != 0) sets.push_back(absl::StrCat(prefix_, "ix:priority:", filter.priority));
  if (!filter.department.empty()) sets.push_back(absl::StrCat(prefix_, "ix:department:", filter.department));
  if (!filter.assignee.empty()) sets.push_back(absl::StrCat(prefix_, "ix:assignee:", filter.assignee));
  if (!filter.customer_pseudonym.empty()) {
    sets.push_back(absl::StrCat(prefix_, "ix:customer:", filter.customer_pseudonym));
  }
  int64_t offset = 0;
  if (!page_token.empty() && (!absl::SimpleAtoi(page_token, &offset) || offset < 0)) {
    return absl::InvalidArgumentError("bad page_token");
  }
  std::vector<std::string> ids;
  if (sets.empty()) {
    auto r = redis_.Command({"ZREVRANGE", prefix_ + "all", std::to_string(offset),
                             std::to_string(offset + page_size)});
    if (!r.ok()) return r.status();
    for (const auto& e : r->elements()) ids.push_back(e.str());
  } else {
    std::vector<std::string> cmd = {"SINTER"};
    cmd.insert(cmd.end(), sets.begin(), sets.end());
    auto r = redis_.Command(cmd);
    if (!r.ok()) return r.status();
    std::vector<std::string> all;
    for (const auto& e : r->elements()) all.push_back(e.str());
    // Ticket ids are time-ordered (UUIDv7): newest first.
    std::sort(all.rbegin(), all.rend());
    for (size_t i = static_cast<size_t>(offset); i < all.size() && ids.size() <= static_cast<size_t>(page_size); ++i) {
      ids.push_back(all[i]);
    }
  }
  Page page;
  if (ids.size() > static_cast<size_t>(page_size)) {
    ids.pop_back();
    page.next_page_token = std::to_string(offset + page_size);
  }
  if (ids.empty()) return page;
  std::vector<std::vector<std::string>> gets;
  for (const std::string& id : ids) gets.push_back({"HGET", TicketKey(id), "pb"});
  auto replies = redis_.Pipeline(gets);
  if (!replies.ok()) return replies.status();
  for (const redis::Reply& r : *replies) {
    pb::Ticket t;
    if (!r.is_nil() && t.ParseFromString(r.str())) page.tickets.push_back(std::move(t));
  }
  return page;
}

absl::StatusOr<std::vector<pb::AuditEntry>> TicketStore::Audit(const std::string& ticket_id) {
  auto reply = redis_.Command({"LRANGE", prefix_ + "audit:" + ticket_id, "0", "-1"});
  if (!reply.ok()) return reply.status();
  std::vector<pb::AuditEntry> out;
  for (const auto& e : reply->elements()) {
    pb::AuditEntry a;
    if (a.ParseFromString(e.str())) out.push_back(std::move(a));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> TicketStore::AuditRaw(const std::string& ticket_id) {
  auto reply = redis_.Command({"LRANGE", prefix_ + "audit:" + ticket_id, "0", "-1"});
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return absl::UnavailableError("redis: " + reply->str());
  std::vector<std::string> out;
  for (const auto& e : reply->elements()) out.push_back(e.str());
  return out;
}

absl::StatusOr<std::vector<std::string>> TicketStore::CustomerTicketIds(const std::string& pseudonym) {
  auto reply = redis_.Command({"SMEMBERS", absl::StrCat(prefix_, "ix:customer:", pseudonym)});
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return absl::UnavailableError("redis: " + reply->str());
  std::vector<std::string> out;
  for (const auto& e : reply->elements()) out.push_back(e.str());
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<std::pair<std::string, std::vector<pb::Ticket>>> TicketStore::ScanTickets(const std::string& cursor,
                                                                                         int count) {
  // The prefix is matched literally: glob characters in it are escaped.
  std::string pattern;
  for (char c : prefix_ + "t:") {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') pattern.push_back('\\');
    pattern.push_back(c);
  }
  pattern.push_back('*');
  auto reply = redis_.Command({"SCAN", cursor, "MATCH", pattern, "COUNT", std::to_string(count)});
  if (!reply.ok()) return reply.status();
  if (reply->is_error() || reply->elements().size() != 2) {
    return absl::UnavailableError(absl::StrCat("SCAN: unexpected reply ", reply->DebugString()));
  }
  std::pair<std::string, std::vector<pb::Ticket>> out{reply->elements()[0].str(), {}};
  std::vector<std::vector<std::string>> gets;
  for (const redis::Reply& k : reply->elements()[1].elements()) gets.push_back({"HGET", k.str(), "pb"});
  if (gets.empty()) return out;
  auto values = redis_.Pipeline(gets);
  if (!values.ok()) return values.status();
  for (const redis::Reply& v : *values) {
    pb::Ticket t;
    if (!v.is_nil() && !v.is_error() && t.ParseFromString(v.str())) out.second.push_back(std::move(t));
  }
  return out;
}

absl::StatusOr<std::string> TicketStore::AppendToStream(
    const std::string& stream, int64_t max_len, const std::vector<std::pair<std::string, std::string>>& fields) {
  std::vector<std::string> cmd = {"XADD", stream, "MAXLEN", "~", std::to_string(max_len), "*"};
  for (const auto& [k, v] : fields) {
    cmd.push_back(k);
    cmd.push_back(v);
  }
  auto reply = redis_.Command(cmd);
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return absl::UnavailableError(absl::StrCat("XADD ", stream, ": ", reply->str()));
  return reply->str();
}

absl::Status TicketStore::PutAgent(const pb::Agent& agent) {
  return redis_.Command({"HSET", prefix_ + "agents", agent.agent_id(), agent.SerializeAsString()}).status();
}

absl::StatusOr<std::vector<pb::Agent>> TicketStore::Agents() {
  auto reply = redis_.Command({"HVALS", prefix_ + "agents"});
  if (!reply.ok()) return reply.status();
  std::vector<pb::Agent> out;
  for (const auto& e : reply->elements()) {
    pb::Agent a;
    if (a.ParseFromString(e.str())) out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(), [](const pb::Agent& x, const pb::Agent& y) { return x.agent_id() < y.agent_id(); });
  return out;
}

absl::StatusOr<std::map<std::string, int64_t>> TicketStore::Loads() {
  auto reply = redis_.Command({"HGETALL", prefix_ + "load"});
  if (!reply.ok()) return reply.status();
  std::map<std::string, int64_t> out;
  const auto& e = reply->elements();
  for (size_t i = 0; i + 1 < e.size(); i += 2) {
    int64_t n = 0;
    if (absl::SimpleAtoi(e[i + 1].str(), &n)) out[e[i].str()] = n;
  }
  return out;
}

absl::Status TicketStore::Enqueue(const pb::Ticket& t) {
  // Lower score first: priority (P0 = 1 … P4 = 5), then age.
  const int64_t score = int64_t{t.priority()} * 10000000000000 + absl::ToUnixMillis(FromProto(t.created_at()));
  return redis_.Command({"ZADD", prefix_ + "queue", "NX", std::to_string(score), t.ticket_id()}).status();
}

absl::Status TicketStore::Dequeue(const std::string& ticket_id) {
  return redis_.Command({"ZREM", prefix_ + "queue", ticket_id}).status();
}

absl::StatusOr<std::vector<std::string>> TicketStore::Queued(int max) {
  auto reply = redis_.Command({"ZRANGE", prefix_ + "queue", "0", std::to_string(max - 1)});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> out;
  for (const auto& e : reply->elements()) out.push_back(e.str());
  return out;
}

absl::StatusOr<std::vector<std::string>> TicketStore::ClaimDue(absl::Time now, absl::Duration lease, int max) {
  auto reply = redis_.Eval(kClaimDue, {DueKey()}, {Ms(now), Ms(now + lease), std::to_string(max)});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> out;
  for (const auto& e : reply->elements()) out.push_back(e.str());
  return out;
}

absl::Status TicketStore::DropClaimed(const std::string& member, absl::Time lease_until) {
  return redis_.Eval(kDropClaimed, {DueKey()}, {member, Ms(lease_until)}).status();
}

absl::StatusOr<std::vector<TicketStore::OutboxEntry>> TicketStore::ReadOutbox(const std::string& consumer, int max,
                                                                               absl::Duration idle) {
  if (!group_ready_) {
    auto r = redis_.Command({"XGROUP", "CREATE", OutboxKey(), "relay", "0", "MKSTREAM"});
    if (!r.ok()) return r.status();
    if (r->is_error() && r->error_code() != "BUSYGROUP") return absl::InternalError("redis: " + r->str());
    group_ready_ = true;
  }
  std::vector<OutboxEntry> out;
  auto parse = [&](const redis::Reply& entries) {
    for (const auto& entry : entries.elements()) {
      if (entry.elements().size() != 2) continue;
      OutboxEntry o;
      o.id = entry.elements()[0].str();
      const auto& fields = entry.elements()[1].elements();
      for (size_t i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i].str() == "e") (void)o.event.ParseFromString(fields[i + 1].str());
      }
      out.push_back(std::move(o));
    }
  };
  // Entries another relay read and never acknowledged (it died) come first.
  auto claimed = redis_.Command({"XAUTOCLAIM", OutboxKey(), "relay", consumer,
                                 std::to_string(absl::ToInt64Milliseconds(idle)), "0", "COUNT", std::to_string(max)});
  if (!claimed.ok()) return claimed.status();
  if (claimed->elements().size() >= 2) parse(claimed->elements()[1]);
  if (static_cast<int>(out.size()) >= max) return out;
  auto fresh = redis_.Command({"XREADGROUP", "GROUP", "relay", consumer, "COUNT", std::to_string(max - out.size()),
                               "STREAMS", OutboxKey(), ">"});
  if (!fresh.ok()) return fresh.status();
  for (const auto& stream : fresh->elements()) {
    if (stream.elements().size() == 2) parse(stream.elements()[1]);
  }
  return out;
}

absl::Status TicketStore::AckOutbox(const std::vector<std::string>& ids) {
  if (ids.empty()) return absl::OkStatus();
  std::vector<std::string> ack = {"XACK", OutboxKey(), "relay"}, del = {"XDEL", OutboxKey()};
  ack.insert(ack.end(), ids.begin(), ids.end());
  del.insert(del.end(), ids.begin(), ids.end());
  auto replies = redis_.Pipeline({ack, del});
  if (!replies.ok()) return replies.status();
  for (const auto& r : *replies) {
    if (r.is_error()) return absl::InternalError("redis: outbox ack: " + r.str());
  }
  return absl::OkStatus();
}

}  // namespace fbl::workorder
