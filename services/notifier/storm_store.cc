#include "services/notifier/storm_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace fbl::notifier {
namespace {

// KEYS cur, event decision, window, recipients, due. ARGV expected current
// start ("" for none), grouped (0/1), start ms, closes ms, ttl ms, due
// member, first alert id, category, severity, department, tier, group key,
// recipients... Returns the decision "g:<start>" / "f:<start>" (also the
// stored one if the event was decided before), or 0 if the window changed.
const redis::LuaScript kAdmit(R"lua(
local decided = redis.call('GET', KEYS[2])
if decided then return decided end
local cur = redis.call('GET', KEYS[1]) or ''
if cur ~= ARGV[1] then return 0 end
if ARGV[2] == '1' then
  if redis.call('HGET', KEYS[3], 'closed') ~= '0' then return 0 end
  redis.call('HINCRBY', KEYS[3], 'count', 1)
  for i = 13, #ARGV do redis.call('SADD', KEYS[4], ARGV[i]) end
  redis.call('PEXPIRE', KEYS[4], ARGV[5])
else
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[5])
  redis.call('HSET', KEYS[3], 'start', ARGV[3], 'closes', ARGV[4], 'closed', '0', 'count', '0',
             'alert', ARGV[7], 'category', ARGV[8], 'severity', ARGV[9], 'department', ARGV[10],
             'tier', ARGV[11], 'group', ARGV[12])
  redis.call('PEXPIRE', KEYS[3], ARGV[5])
  redis.call('ZADD', KEYS[5], ARGV[4], ARGV[6])
end
local v = 'f:' .. ARGV[3]
if ARGV[2] == '1' then v = 'g:' .. ARGV[3] end
redis.call('SET', KEYS[2], v, 'PX', ARGV[5])
return v
)lua");

// KEYS due, inflight. ARGV now ms, lease-until ms, limit, window key prefix.
// Expired leases return first; due windows are marked closed and leased.
const redis::LuaScript kClaimClosed(R"lua(
local now = tonumber(ARGV[1])
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  redis.call('ZREM', KEYS[2], m)
  redis.call('ZADD', KEYS[1], now, m)
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
for _, m in ipairs(due) do
  redis.call('ZREM', KEYS[1], m)
  redis.call('ZADD', KEYS[2], ARGV[2], m)
  local sep = string.find(m, '\n', 1, true)
  local win = ARGV[4] .. string.sub(m, 1, sep - 1) .. ':' .. string.sub(m, sep + 1)
  if redis.call('EXISTS', win) == 1 then redis.call('HSET', win, 'closed', '1') end
end
return due
)lua");

std::string Ms(absl::Time t) { return std::to_string(absl::ToUnixMillis(t)); }

int64_t ToInt(const std::string& s) {
  int64_t n = 0;
  (void)absl::SimpleAtoi(s, &n);
  return n;
}

}  // namespace

std::string StormStore::WindowKey(const std::string& storm_key, int64_t start_ms) const {
  return absl::StrCat(prefix_, "storm:win:", storm_key, ":", start_ms);
}

absl::StatusOr<StormDecision> StormStore::Admit(const std::string& storm_key, const Page& page,
                                                const std::vector<std::string>& recipients, absl::Time now,
                                                absl::Duration window) {
  const std::string cur_key = Key("storm:cur:" + storm_key);
  const std::string event_key = Key("storm:ev:" + page.event_id);
  const std::string ttl = std::to_string(absl::ToInt64Milliseconds(ttl_));
  for (int attempt = 0; attempt < 10; ++attempt) {
    auto cur = redis_.Command({"GET", cur_key});
    if (!cur.ok()) return cur.status();
    std::optional<StormWindow> current;
    if (!cur->is_nil()) {
      auto win = redis_.Command({"HMGET", WindowKey(storm_key, ToInt(cur->str())), "start", "closes", "closed"});
      if (!win.ok()) return win.status();
      const auto& f = win->elements();
      if (f.size() == 3 && !f[0].is_nil()) {
        current = StormWindow{ToInt(f[0].str()), ToInt(f[1].str()), f[2].str() != "0"};
      }
    }
    const StormDecision d = DecideStorm(current, now, window);
    std::vector<std::string> args = {cur->is_nil() ? "" : cur->str(),
                                     d.grouped ? "1" : "0",
                                     std::to_string(d.window.start_ms),
                                     std::to_string(d.window.closes_ms),
                                     ttl,
                                     absl::StrCat(storm_key, "\n", d.window.start_ms),
                                     page.alert_id,
                                     page.category,
                                     page.severity,
                                     page.department,
                                     std::to_string(page.tier),
                                     page.group_key};
    if (d.grouped) args.insert(args.end(), recipients.begin(), recipients.end());
    auto reply = redis_.Eval(kAdmit,
                             {cur_key, event_key, WindowKey(storm_key, d.window.start_ms),
                              Key(absl::StrCat("storm:rcpt:", storm_key, ":", d.window.start_ms)), Key("storm:due")},
                             args);
    if (!reply.ok()) return reply.status();
    if (reply->kind() == redis::ReplyKind::kInteger) continue;  // the window changed meanwhile
    const std::string& v = reply->str();
    StormDecision out;
    out.grouped = v.rfind("g:", 0) == 0;
    out.window.start_ms = ToInt(v.substr(2));
    if (out.window.start_ms == d.window.start_ms) {
      out.window = d.window;
    } else {
      out.window.closes_ms = out.window.start_ms + absl::ToInt64Milliseconds(window);
    }
    return out;
  }
  return absl::AbortedError("storm window kept changing; try again");
}

absl::StatusOr<std::vector<StormStore::ClosedWindow>> StormStore::ClaimClosed(absl::Time now, absl::Duration lease,
                                                                               int limit) {
  auto due = redis_.Eval(kClaimClosed, {Key("storm:due"), Key("storm:inflight")},
                         {Ms(now), Ms(now + lease), std::to_string(limit), Key("storm:win:")});
  if (!due.ok()) return due.status();
  std::vector<ClosedWindow> out;
  for (const auto& m : due->elements()) {
    const std::string& member = m.str();
    const size_t sep = member.find('\n');
    if (sep == std::string::npos) continue;
    ClosedWindow w;
    w.storm_key = member.substr(0, sep);
    w.window.start_ms = ToInt(member.substr(sep + 1));
    w.window.closed = true;
    auto replies = redis_.Pipeline(
        {{"HGETALL", WindowKey(w.storm_key, w.window.start_ms)},
         {"SMEMBERS", Key(absl::StrCat("storm:rcpt:", w.storm_key, ":", w.window.start_ms))}});
    if (!replies.ok()) return replies.status();
    const auto& hash = (*replies)[0].elements();
    for (size_t i = 0; i + 1 < hash.size(); i += 2) {
      const std::string& k = hash[i].str();
      const std::string& v = hash[i + 1].str();
      if (k == "closes") w.window.closes_ms = ToInt(v);
      if (k == "count") w.count = static_cast<int>(ToInt(v));
      if (k == "alert") w.first.alert_id = v;
      if (k == "category") w.first.category = v;
      if (k == "severity") w.first.severity = v;
      if (k == "department") w.first.department = v;
      if (k == "tier") w.first.tier = static_cast<int>(ToInt(v));
      if (k == "group") w.first.group_key = v;
    }
    for (const auto& r : (*replies)[1].elements()) w.recipients.push_back(r.str());
    out.push_back(std::move(w));
  }
  return out;
}

absl::Status StormStore::Complete(const ClosedWindow& window) {
  return redis_
      .Command({"ZREM", Key("storm:inflight"), absl::StrCat(window.storm_key, "\n", window.window.start_ms)})
      .status();
}

}  // namespace fbl::notifier
