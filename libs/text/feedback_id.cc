#include "libs/text/feedback_id.h"

#include <chrono>
#include <cstdint>
#include <random>
#include <string>

#include "absl/status/status.h"

namespace fbl::text {
namespace {

struct GeneratorState {
  GeneratorState() : rng(Seed()) {}

  static std::mt19937_64 Seed() {
    std::random_device device;
    std::seed_seq seq{device(), device(), device(), device(), device(), device(), device(),
                      device()};
    return std::mt19937_64(seq);
  }

  std::mt19937_64 rng;
  uint64_t last_ms = 0;
  uint32_t counter = 0;  // 12 bits
};

constexpr uint32_t kCounterMax = 0xFFF;
constexpr uint32_t kCounterSeedMask = 0x7FF;  // top bit clear: room to count

constexpr char kHex[] = "0123456789abcdef";

void AppendHex(uint64_t value, int digits, std::string* out) {
  for (int i = digits - 1; i >= 0; --i) out->push_back(kHex[(value >> (4 * i)) & 0xF]);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string NewFeedbackId() {
  thread_local GeneratorState state;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto now_ms =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
  if (now_ms > state.last_ms) {
    state.last_ms = now_ms;
    state.counter = static_cast<uint32_t>(state.rng()) & kCounterSeedMask;
  } else if (state.counter < kCounterMax) {
    ++state.counter;
  } else {
    ++state.last_ms;
    state.counter = static_cast<uint32_t>(state.rng()) & kCounterSeedMask;
  }
  const uint64_t ms = state.last_ms & 0xFFFFFFFFFFFFULL;
  const uint64_t rand_b = state.rng() & 0x3FFFFFFFFFFFFFFFULL;

  std::string id;
  id.reserve(36);
  AppendHex(ms >> 16, 8, &id);
  id.push_back('-');
  AppendHex(ms & 0xFFFF, 4, &id);
  id.push_back('-');
  AppendHex((uint64_t{7} << 12) | state.counter, 4, &id);
  id.push_back('-');
  AppendHex((uint64_t{0b10} << 14) | (rand_b >> 48), 4, &id);
  id.push_back('-');
  AppendHex(rand_b & 0xFFFFFFFFFFFFULL, 12, &id);
  return id;
}

absl::StatusOr<absl::Time> FeedbackIdTime(std::string_view id) {
  const auto invalid = [&](std::string_view why) {
    return absl::InvalidArgumentError("not a UUIDv7 feedback id (" + std::string(why) + "): \"" +
                                      std::string(id.substr(0, 64)) + "\"");
  };
  if (id.size() != 36) return invalid("length");
  uint64_t ms = 0;
  for (size_t i = 0; i < id.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (id[i] != '-') return invalid("hyphens");
      continue;
    }
    const int v = HexValue(id[i]);
    if (v < 0) return invalid("hex");
    if (i < 13) ms = (ms << 4) | static_cast<uint64_t>(v);
  }
  if (id[14] != '7') return invalid("version");
  if (const int variant = HexValue(id[19]); (variant & 0xC) != 0x8) return invalid("variant");
  return absl::FromUnixMillis(static_cast<int64_t>(ms));
}

}  // namespace fbl::text
