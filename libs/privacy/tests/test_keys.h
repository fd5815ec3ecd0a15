#pragma once
// Helpers for the privacy unit tests: keyring text with fresh random keys.

#include <string>
#include <string_view>

#include "libs/privacy/keyring.h"

namespace fbl::privacy::testing {

// The base64 key (third field) of a line from Keyring::GenerateLine.
inline std::string KeyOf(const std::string& line) {
  const size_t a = line.find(' ');
  const size_t b = line.find(' ', a + 1);
  const size_t c = line.find(' ', b + 1);
  return line.substr(b + 1, c == std::string::npos ? std::string::npos : c - b - 1);
}

// `line` without its " active" flag.
inline std::string Inactive(std::string line) {
  const size_t pos = line.rfind(" active");
  if (pos != std::string::npos && pos + 7 == line.size()) line.resize(pos);
  return line;
}

// One active pseudonym key "p1" and one active contact key `contact_id`.
inline std::string FreshRing(std::string_view contact_id = "c1") {
  return "# test keyring\n" + Keyring::GenerateLine("pseudonym", "p1", true) + "\n" +
         Keyring::GenerateLine("contact", contact_id, true) + "\n";
}

}  // namespace fbl::privacy::testing
