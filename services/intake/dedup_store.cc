#include "services/intake/dedup_store.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace fbl::intake {
namespace {

// KEYS[1] binding; ARGV candidate id, ttl ms. Returns "<id>|n", "<id>|p" or "<id>|d".
const redis::LuaScript kClaim(R"lua(
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1] .. '|p', 'PX', ARGV[2])
return ARGV[1] .. '|n'
)lua");

// KEYS[1] binding. Marks it done, keeping its expiry.
const redis::LuaScript kMarkDone(R"lua(
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
redis.call('SET', KEYS[1], string.sub(v, 1, -3) .. '|d', 'KEEPTTL')
return 1
)lua");

// KEYS[1] per-customer sorted set of "<simhash hex16>:<feedback id>" scored by
// receive time. ARGV now ms, window ms, simhash hex16, feedback id, max
// distance, history size. Returns the earliest near-duplicate's id or "".
const redis::LuaScript kNearDuplicate(R"lua(
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local mine, me, maxd = ARGV[3], ARGV[4], tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - window))
local function popcount(x)
  local c = 0
  while x ~= 0 do x = bit.band(x, x - 1); c = c + 1 end
  return c
end
local function distance(a, b)
  local d = 0
  for i = 1, 16, 4 do
    d = d + popcount(bit.bxor(tonumber(string.sub(a, i, i + 3), 16), tonumber(string.sub(b, i, i + 3), 16)))
  end
  return d
end
local found = ''
local seen = false
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local id = string.sub(m, 18)
  if id == me then seen = true break end
  if found == '' and distance(string.sub(m, 1, 16), mine) <= maxd then found = id end
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

absl::StatusOr<DedupStore::Claim> DedupStore::ClaimExternalId(const std::string& source,
                                                              const std::string& external_id,
                                                              const std::string& candidate_id) {
  auto reply = redis_.Eval(kClaim, {BindingKey(source, external_id)},
                           {candidate_id, std::to_string(absl::ToInt64Milliseconds(config_.replay_window))});
  if (!reply.ok()) return reply.status();
  const std::string& v = reply->str();
  if (v.size() < 3 || v[v.size() - 2] != '|') {
    return absl::InternalError(absl::StrCat("unexpected claim reply: ", reply->DebugString()));
  }
  Claim claim{v.substr(0, v.size() - 2), ClaimState::kNew};
  switch (v.back()) {
    case 'n': claim.state = ClaimState::kNew; break;
    case 'p': claim.state = ClaimState::kPending; break;
    default: claim.state = ClaimState::kDone; break;
  }
  return claim;
}

absl::Status DedupStore::MarkDone(const std::string& source, const std::string& external_id) {
  auto reply = redis_.Eval(kMarkDone, {BindingKey(source, external_id)}, {});
  return reply.status();
}

absl::StatusOr<std::string> DedupStore::FindNearDuplicate(const std::string& customer,
                                                          uint64_t simhash,
                                                          const std::string& feedback_id,
                                                          absl::Time received_at) {
  auto reply = redis_.Eval(
      kNearDuplicate, {absl::StrCat("fbl:intake:sim:", customer)},
      {std::to_string(absl::ToUnixMillis(received_at)),
       std::to_string(absl::ToInt64Milliseconds(config_.near_duplicate_window)),
       absl::StrFormat("%016x", simhash), feedback_id,
       std::to_string(config_.near_duplicate_max_distance),
       std::to_string(config_.near_duplicate_history)});
  if (!reply.ok()) return reply.status();
  return reply->is_nil() ? std::string() : reply->str();
}

}  // namespace fbl::intake
