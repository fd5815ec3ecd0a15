// libFuzzer: the keyword extractor (libs/keywords): the first half of the
// input is a stop-word file, the second a text to segment.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>

#include "libs/keywords/keywords.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16 * 1024) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t cut = in.find('\0') == std::string_view::npos ? size / 2 : in.find('\0');
  static const std::string path = "/tmp/keywords_fuzz." + std::to_string(getpid()) + ".txt";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << in.substr(0, cut);
  }
  auto extractor = fbl::keywords::Extractor::Create(path);
  if (!extractor.ok()) {
    if (extractor.status().message().empty()) __builtin_trap();
    return 0;
  }
  const std::string_view text = cut < size ? in.substr(cut + 1) : std::string_view();
  for (const std::string& term : (*extractor)->Terms(text)) {
    if (term.empty()) __builtin_trap();
  }
  return 0;
}
