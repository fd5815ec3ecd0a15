#include "services/intake/dedup_store.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/text/minhash.h"

namespace fbl::intake {
namespace {

// KEYS[1] binding; ARGV candidate id, ttl ms. Returns "<id>|n", "<id>|p" or "<id>|d".
const redis::LuaScript kClaim(R"lua(
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1] .. '|p', 'PX', ARGV[2])
return ARGV[1] .. '|n'
)lua");

// KEYS[1] binding, KEYS[2] record, KEYS[3] customer index, KEYS[4] erased
// hash; ARGV feedback id, record bytes, ttl ms, pseudonym ("" anonymous),
// "1" if prepared as erased. Marks the binding done (keeping its expiry),
// stores the record and indexes it under its customer. A record of a
// customer erased after it was prepared is not stored (it would carry the
// personal data the erasure just removed).
const redis::LuaScript kMarkDone(R"lua(
redis.call('SET', KEYS[1], ARGV[1] .. '|d', 'KEEPTTL')
if ARGV[4] ~= '' and ARGV[5] ~= '1' and redis.call('HEXISTS', KEYS[4], ARGV[4]) == 1 then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
if ARGV[4] ~= '' then
  redis.call('SADD', KEYS[3], ARGV[1])
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
end
return 1
)lua");

// KEYS[1] per-customer sorted set of "<signature>:<feedback id>" scored by
// receive time (signature: text::MinHashToBytes16, fixed width). ARGV now
// ms, window ms, signature, feedback id, minimum similarity, history size.
// Returns the earliest near-duplicate's id or "". The comparison reads each
// stored signature's bytes at once and stops as soon as too many positions
// differ (most pairs are unrelated), so a long history stays cheap. Entries
// of another width (the 8-hex-digit form before) never match.
const redis::LuaScript kNearDuplicate(R"lua(
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local mine, me, min_sim = ARGV[3], ARGV[4], tonumber(ARGV[5])
local width = string.len(mine)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - window))
local a = {string.byte(mine, 1, width)}
local positions = width / 2
local allowed = positions - min_sim * positions  -- differing positions a near-duplicate may have
local function near(m)
  if width == 0 then return false end
  local b = {string.byte(m, 1, width)}
  local differ = 0
  for i = 1, width, 2 do
    if a[i] ~= b[i] or a[i + 1] ~= b[i + 1] then
      differ = differ + 1
      if differ > allowed then return false end
    end
  end
  return true
end
local found, seen = '', false
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local same_width = string.byte(m, width + 1) == 58  -- ':'
  local id
  if same_width then
    id = string.sub(m, width + 2)
  else
    id = string.sub(m, (string.find(m, ':', 1, true) or string.len(m)) + 1)
  end
  if id == me then seen = true break end
  if found == '' and same_width and near(m) then found = id end
end
if not seen then
  redis.call('ZADD', KEYS[1], now, mine .. ':' .. me)
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[6]) + 1))
  redis.call('PEXPIRE', KEYS[1], window)
end
return found
)lua");

std::string BindingKey(const std::string& source, const std::string& external_id) {
  // Hashed so that key length stays bounded whatever the channel sends.
  std::string material = absl::StrCat(source, "\x1f", external_id);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(material.data()), material.size(), digest);
  return absl::StrCat("fbl:intake:ext:",
                      absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), 16)));
}

}  // namespace

std::string RecordKey(const std::string& feedback_id) { return "fbl:intake:rec:" + feedback_id; }
std::string CustomerIndexKey(const std::string& pseudonym) { return "fbl:intake:cust:" + pseudonym; }
std::string NearDuplicateKey(const std::string& pseudonym) { return "fbl:intake:sim:" + pseudonym; }

absl::StatusOr<std::vector<DedupStore::Binding>> DedupStore::Claim(const std::vector<ClaimRequest>& requests) {
  std::vector<redis::Client::ScriptCall> calls;
  const std::string ttl = std::to_string(absl::ToInt64Milliseconds(config_.replay_window));
  for (const auto& r : requests) calls.push_back({{BindingKey(r.source, r.external_id)}, {r.candidate_id, ttl}});
  std::vector<Binding> out;
  if (calls.empty()) return out;
  auto replies = redis_.EvalMany(kClaim, calls);
  if (!replies.ok()) return replies.status();
  for (const redis::Reply& reply : *replies) {
    const std::string& v = reply.str();
    if (v.size() < 3 || v[v.size() - 2] != '|') {
      return absl::InternalError(absl::StrCat("unexpected claim reply: ", reply.DebugString()));
    }
    Binding b{v.substr(0, v.size() - 2), ClaimState::kNew};
    if (v.back() == 'p') b.state = ClaimState::kPending;
    if (v.back() == 'd') b.state = ClaimState::kDone;
    out.push_back(std::move(b));
  }
  return out;
}

absl::Status DedupStore::MarkDone(const std::vector<DoneRequest>& requests) {
  std::vector<redis::Client::ScriptCall> calls;
  const std::string ttl = std::to_string(absl::ToInt64Milliseconds(config_.replay_window));
  for (const auto& r : requests) {
    calls.push_back({{BindingKey(r.source, r.external_id), RecordKey(r.feedback_id), CustomerIndexKey(r.customer),
                      kErasedKey},
                     {r.feedback_id, r.record, ttl, r.customer, r.erased ? "1" : "0"}});
  }
  if (calls.empty()) return absl::OkStatus();
  return redis_.EvalMany(kMarkDone, calls).status();
}

absl::StatusOr<std::string> DedupStore::GetRecord(const std::string& feedback_id) {
  auto reply = redis_.Command({"GET", RecordKey(feedback_id)});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return absl::NotFoundError("no such feedback (or older than the retention)");
  return reply->str();
}

absl::StatusOr<std::vector<bool>> DedupStore::Erased(const std::vector<std::string>& pseudonyms) {
  std::vector<std::string> args = {"HMGET", kErasedKey};
  for (const auto& p : pseudonyms) args.push_back(p.empty() ? std::string("\x1f") : p);
  std::vector<bool> out;
  if (pseudonyms.empty()) return out;
  auto reply = redis_.Command(args);
  if (!reply.ok()) return reply.status();
  if (reply->is_error() || reply->elements().size() != pseudonyms.size()) {
    return absl::UnavailableError(absl::StrCat("erased customers: unexpected reply ", reply->DebugString()));
  }
  for (size_t i = 0; i < pseudonyms.size(); ++i) {
    out.push_back(!pseudonyms[i].empty() && !reply->elements()[i].is_nil());
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> DedupStore::FindNearDuplicates(
    const std::vector<NearDuplicateRequest>& requests) {
  std::vector<redis::Client::ScriptCall> calls;
  for (const auto& r : requests) {
    calls.push_back({{NearDuplicateKey(r.customer)},
                     {std::to_string(absl::ToUnixMillis(r.received_at)),
                      std::to_string(absl::ToInt64Milliseconds(config_.near_duplicate_window)),
                      text::MinHashToBytes16(r.minhash), r.feedback_id,
                      absl::StrFormat("%.3f", config_.near_duplicate_min_similarity),
                      std::to_string(config_.near_duplicate_history)}});
  }
  std::vector<std::string> out;
  if (calls.empty()) return out;
  auto replies = redis_.EvalMany(kNearDuplicate, calls);
  if (!replies.ok()) return replies.status();
  for (const redis::Reply& r : *replies) out.push_back(r.is_nil() ? std::string() : r.str());
  return out;
}

}  // namespace fbl::intake
