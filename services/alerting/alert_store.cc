#include "services/alerting/alert_store.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/strings/str_cat.h"

namespace fbl::alerting {
namespace {

constexpr int64_t kClaimTtlMs = 30LL * 24 * 3600 * 1000;

// KEYS claim, alert, index, timers. ARGV alert id, bytes, created ms, ack due
// ms, contact due ms, claim ttl ms. Returns "n", or the existing "p"/"d".
const redis::LuaScript kRaise(R"lua(
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], 'p', 'PX', ARGV[6])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[4], 'ack:' .. ARGV[1] .. ':0', ARGV[5], 'contact:' .. ARGV[1])
return 'n'
)lua");

// KEYS alert, timers. ARGV old bytes, new bytes, n removals, removals...,
// then score/member pairs to add. Returns 1, or 0 if the alert changed.
const redis::LuaScript kUpdate(R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
local n = tonumber(ARGV[3])
for i = 4, 3 + n do redis.call('ZREM', KEYS[2], ARGV[i]) end
for i = 4 + n, #ARGV, 2 do redis.call('ZADD', KEYS[2], ARGV[i], ARGV[i + 1]) end
return 1
)lua");

// KEYS timers, inflight. ARGV now ms, lease ms, limit. Expired leases return
// to the timers first; then due timers move to in-flight and are returned.
const redis::LuaScript kClaimDue(R"lua(
local now = tonumber(ARGV[1])
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  redis.call('ZREM', KEYS[2], m)
  redis.call('ZADD', KEYS[1], now, m)
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
for _, m in ipairs(due) do
  redis.call('ZREM', KEYS[1], m)
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), m)
end
return due
)lua");

}  // namespace

absl::StatusOr<AlertStore::Raised> AlertStore::Raise(const pb::Alert& alert) {
  auto reply = redis_.Eval(
      kRaise, {Key("fb:" + alert.feedback_id()), Key("alert:" + alert.alert_id()), Key("index"), Key("timers")},
      {alert.alert_id(), Bytes(alert),
       std::to_string(alert.created_at().seconds() * 1000 + alert.created_at().nanos() / 1000000),
       std::to_string(alert.ack_due().seconds() * 1000), std::to_string(alert.contact_due().seconds() * 1000),
       std::to_string(kClaimTtlMs)});
  if (!reply.ok()) return reply.status();
  if (reply->str() == "n") return Raised::kNew;
  return reply->str() == "p" ? Raised::kPending : Raised::kDone;
}

absl::Status AlertStore::MarkRaised(const std::string& feedback_id) {
  return redis_.Command({"SET", Key("fb:" + feedback_id), "d", "KEEPTTL"}).status();
}

absl::StatusOr<pb::Alert> AlertStore::Get(const std::string& alert_id) {
  auto reply = redis_.Command({"GET", Key("alert:" + alert_id)});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return absl::NotFoundError(absl::StrCat("no alert ", alert_id));
  pb::Alert a;
  if (!a.ParseFromString(reply->str())) return absl::DataLossError("stored alert is corrupt");
  return a;
}

std::string AlertStore::Bytes(const pb::Alert& alert) {
  // Deterministic (map entries sorted): Update compares bytes, and a map in
  // another order would look like a concurrent change forever.
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  alert.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

absl::Status AlertStore::Update(const pb::Alert& before, const pb::Alert& after,
                                const std::vector<std::string>& remove_timers,
                                const std::vector<std::pair<std::string, absl::Time>>& add_timers) {
  std::vector<std::string> args = {Bytes(before), Bytes(after),
                                   std::to_string(remove_timers.size())};
  args.insert(args.end(), remove_timers.begin(), remove_timers.end());
  for (const auto& [member, due] : add_timers) {
    args.push_back(std::to_string(absl::ToUnixMillis(due)));
    args.push_back(member);
  }
  auto reply = redis_.Eval(kUpdate, {Key("alert:" + after.alert_id()), Key("timers")}, args);
  if (!reply.ok()) return reply.status();
  if (reply->integer() != 1) return absl::AbortedError("the alert changed meanwhile; read it again");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> AlertStore::ClaimDue(absl::Time now, absl::Duration lease, int limit) {
  auto reply = redis_.Eval(kClaimDue, {Key("timers"), Key("inflight")},
                           {std::to_string(absl::ToUnixMillis(now)),
                            std::to_string(absl::ToInt64Milliseconds(lease)), std::to_string(limit)});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> out;
  for (const auto& e : reply->elements()) out.push_back(e.str());
  return out;
}

absl::Status AlertStore::Complete(const std::string& timer) {
  return redis_.Command({"ZREM", Key("inflight"), timer}).status();
}

absl::StatusOr<std::vector<std::string>> AlertStore::ListIds(int64_t offset, int64_t count) {
  auto reply = redis_.Command(
      {"ZREVRANGE", Key("index"), std::to_string(offset), std::to_string(offset + count - 1)});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> out;
  for (const auto& e : reply->elements()) out.push_back(e.str());
  return out;
}

}  // namespace fbl::alerting
