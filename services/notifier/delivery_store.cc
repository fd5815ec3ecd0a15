#include "services/notifier/delivery_store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace fbl::notifier {
namespace {

// KEYS record, alert index. ARGV owner, now ms, lease-until ms, ttl ms,
// alert, event, recipient, delivery id, grouped (0/1).
// Returns {outcome, lease, HGETALL...}.
const redis::LuaScript kClaim(R"lua(
local st = redis.call('HGET', KEYS[1], 'state')
if st then
  local lease = redis.call('HGET', KEYS[1], 'lease') or '0'
  if st ~= 'pending' then return {'done', lease, redis.call('HGETALL', KEYS[1])} end
  local owner = redis.call('HGET', KEYS[1], 'owner')
  if owner ~= ARGV[1] and tonumber(lease) > tonumber(ARGV[2]) then
    return {'busy', lease, redis.call('HGETALL', KEYS[1])}
  end
  redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'lease', ARGV[3])
  return {'resumed', ARGV[3], redis.call('HGETALL', KEYS[1])}
end
local state = 'pending'
if ARGV[9] == '1' then state = 'grouped' end
redis.call('HSET', KEYS[1], 'state', state, 'owner', ARGV[1], 'lease', ARGV[3], 'alert', ARGV[5], 'event', ARGV[6],
           'recipient', ARGV[7], 'attempts', '0', 'ch_idx', '0', 'ch_att', '0', 'created', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[8])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {'new', ARGV[3], redis.call('HGETALL', KEYS[1])}
)lua");

// KEYS record. ARGV owner, lease-until ms, channel index, channel attempts, channel.
const redis::LuaScript kBeginAttempt(R"lua(
if redis.call('HGET', KEYS[1], 'state') ~= 'pending' or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return redis.error_reply('FBL_PRECONDITION the delivery is no longer held by this worker')
end
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'lease', ARGV[2], 'ch_idx', ARGV[3], 'ch_att', ARGV[4], 'channel', ARGV[5])
return 1
)lua");

// KEYS record. ARGV owner, then field/value pairs to set.
const redis::LuaScript kUpdateOwned(R"lua(
if redis.call('HGET', KEYS[1], 'state') ~= 'pending' or redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then
  return redis.error_reply('FBL_PRECONDITION the delivery is no longer held by this worker')
end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1
)lua");

DeliveryState ParseState(const std::string& s) {
  if (s == "sent") return DeliveryState::kSent;
  if (s == "failed") return DeliveryState::kFailed;
  if (s == "grouped") return DeliveryState::kGrouped;
  if (s == "cancelled") return DeliveryState::kCancelled;
  return DeliveryState::kPending;
}

DeliveryRecord FromHash(const std::string& delivery_id, const redis::Reply& hash) {
  DeliveryRecord r;
  r.delivery_id = delivery_id;
  const auto& e = hash.elements();
  for (size_t i = 0; i + 1 < e.size(); i += 2) {
    const std::string& k = e[i].str();
    const std::string& v = e[i + 1].str();
    int64_t n = 0;
    if (k == "alert") {
      r.alert_id = v;
    } else if (k == "event") {
      r.event_id = v;
    } else if (k == "recipient") {
      r.recipient = v;
    } else if (k == "state") {
      r.state = ParseState(v);
    } else if (k == "channel") {
      r.channel = v;
    } else if (k == "attempts" && absl::SimpleAtoi(v, &n)) {
      r.attempts = static_cast<int>(n);
    } else if (k == "error") {
      r.last_error = v;
    } else if (k == "sent" && absl::SimpleAtoi(v, &n)) {
      r.sent_at = absl::FromUnixMillis(n);
    } else if (k == "created" && absl::SimpleAtoi(v, &n)) {
      r.created_at = absl::FromUnixMillis(n);
    } else if (k == "ch_idx" && absl::SimpleAtoi(v, &n)) {
      r.channel_index = static_cast<size_t>(n);
    } else if (k == "ch_att" && absl::SimpleAtoi(v, &n)) {
      r.channel_attempts = static_cast<int>(n);
    }
  }
  return r;
}

std::string Ms(absl::Time t) { return std::to_string(absl::ToUnixMillis(t)); }

}  // namespace

std::string_view DeliveryStateName(DeliveryState state) {
  switch (state) {
    case DeliveryState::kPending:
      return "pending";
    case DeliveryState::kSent:
      return "sent";
    case DeliveryState::kFailed:
      return "failed";
    case DeliveryState::kGrouped:
      return "grouped";
    case DeliveryState::kCancelled:
      return "cancelled";
  }
  return "pending";
}

std::string DeliveryIdFor(std::string_view event_id, std::string_view person) {
  return absl::StrCat(std::string(event_id), "/", std::string(person));
}

std::string DeliveryStore::Key(std::string_view delivery_id) const {
  return absl::StrCat(prefix_, "d:", std::string(delivery_id));
}

std::string DeliveryStore::IndexKey(std::string_view alert_id) const {
  return absl::StrCat(prefix_, "a:", std::string(alert_id));
}

std::string DeliveryStore::ClosedKey(std::string_view alert_id) const {
  return absl::StrCat(prefix_, "closed:", std::string(alert_id));
}

absl::Status DeliveryStore::MarkClosed(const std::string& alert_id, const std::string& how) {
  // The first reason stays (acknowledged, then resolved).
  return redis_
      .Command({"SET", ClosedKey(alert_id), how, "NX", "PX", std::to_string(absl::ToInt64Milliseconds(ttl_))})
      .status();
}

absl::StatusOr<std::string> DeliveryStore::Closed(const std::string& alert_id) {
  auto reply = redis_.Command({"GET", ClosedKey(alert_id)});
  if (!reply.ok()) return reply.status();
  return reply->str();
}

absl::StatusOr<DeliveryStore::Claim> DeliveryStore::ClaimDelivery(const DeliveryKey& key, const std::string& owner,
                                                                  absl::Time now, absl::Duration lease,
                                                                  bool grouped) {
  auto reply = redis_.Eval(kClaim, {Key(key.delivery_id), IndexKey(key.alert_id)},
                           {owner, Ms(now), Ms(now + lease), std::to_string(absl::ToInt64Milliseconds(ttl_)),
                            key.alert_id, key.event_id, key.recipient, key.delivery_id, grouped ? "1" : "0"});
  if (!reply.ok()) return reply.status();
  const auto& e = reply->elements();
  if (e.size() != 3) return absl::InternalError("unexpected claim reply " + reply->DebugString());
  Claim c;
  const std::string& outcome = e[0].str();
  c.outcome = outcome == "new"       ? Outcome::kNew
              : outcome == "resumed" ? Outcome::kResumed
              : outcome == "busy"    ? Outcome::kBusy
                                     : Outcome::kDone;
  int64_t lease_ms = 0;
  if (absl::SimpleAtoi(e[1].str(), &lease_ms)) c.lease_until = absl::FromUnixMillis(lease_ms);
  c.record = FromHash(key.delivery_id, e[2]);
  return c;
}

absl::Status DeliveryStore::BeginAttempt(const std::string& delivery_id, const std::string& owner, absl::Time now,
                                         absl::Duration lease, size_t channel_index, int channel_attempts,
                                         std::string_view channel) {
  return redis_
      .Eval(kBeginAttempt, {Key(delivery_id)},
            {owner, Ms(now + lease), std::to_string(channel_index), std::to_string(channel_attempts),
             std::string(channel)})
      .status();
}

absl::Status DeliveryStore::RecordError(const std::string& delivery_id, const std::string& owner,
                                        const std::string& error, absl::Time hold_until) {
  return redis_.Eval(kUpdateOwned, {Key(delivery_id)}, {owner, "error", error, "lease", Ms(hold_until)}).status();
}

absl::Status DeliveryStore::Finish(const std::string& delivery_id, const std::string& owner, DeliveryState state,
                                   const std::string& error, absl::Time at) {
  std::vector<std::string> args = {owner, "state", std::string(DeliveryStateName(state)), "lease", "0"};
  if (state == DeliveryState::kSent) {
    args.insert(args.end(), {"sent", Ms(at)});
  } else if (state == DeliveryState::kCancelled) {
    args.insert(args.end(), {"error", error, "cancelled", Ms(at)});
  } else {
    args.insert(args.end(), {"error", error});
  }
  return redis_.Eval(kUpdateOwned, {Key(delivery_id)}, args).status();
}

absl::Status DeliveryStore::Release(const std::string& delivery_id, const std::string& owner) {
  absl::Status s = redis_.Eval(kUpdateOwned, {Key(delivery_id)}, {owner, "lease", "0"}).status();
  return absl::IsFailedPrecondition(s) ? absl::OkStatus() : s;
}

absl::StatusOr<std::vector<DeliveryRecord>> DeliveryStore::List(const std::string& alert_id) {
  auto ids = redis_.Command({"ZRANGE", IndexKey(alert_id), "0", "-1"});
  if (!ids.ok()) return ids.status();
  std::vector<std::vector<std::string>> commands;
  for (const auto& id : ids->elements()) commands.push_back({"HGETALL", Key(id.str())});
  std::vector<DeliveryRecord> out;
  if (commands.empty()) return out;
  auto hashes = redis_.Pipeline(commands);
  if (!hashes.ok()) return hashes.status();
  for (size_t i = 0; i < hashes->size(); ++i) {
    if ((*hashes)[i].elements().empty()) continue;  // expired meanwhile
    out.push_back(FromHash(ids->elements()[i].str(), (*hashes)[i]));
  }
  return out;
}

absl::StatusOr<DeliveryRecord> DeliveryStore::Get(const std::string& delivery_id) {
  auto hash = redis_.Command({"HGETALL", Key(delivery_id)});
  if (!hash.ok()) return hash.status();
  if (hash->elements().empty()) return absl::NotFoundError("no delivery " + delivery_id);
  return FromHash(delivery_id, *hash);
}

}  // namespace fbl::notifier
