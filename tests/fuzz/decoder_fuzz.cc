// libFuzzer: the raw-record decoder and validator (every byte a connector can send).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/intake/submission_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the content-type header; the rest is the payload.
  static const std::optional<std::string_view> kTypes[] = {
      std::nullopt, "application/json", "application/x-protobuf", "application/json; charset=utf-8", "text/plain"};
  const auto& type = kTypes[data[0] % 5];
  std::string_view payload(reinterpret_cast<const char*>(data + 1), size - 1);
  fbl::intake::LimitsConfig limits;
  limits.max_message_bytes = 1 << 16;
  fbl::intake::Decoded d = fbl::intake::DecodeSubmission(payload, type, "fuzz-key", limits);
  // Exactly one outcome, and a rejection always explains itself.
  if (d.submission.has_value() == (d.rejection.reason != 0)) __builtin_trap();
  if (!d.submission && d.rejection.detail.empty()) __builtin_trap();
  return 0;
}
