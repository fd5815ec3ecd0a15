// libFuzzer: the classification taxonomy YAML (services/classification/taxonomy.h,
// deploy/taxonomy/taxonomy.yaml): parse and compile its phrase rules.
#include <cstddef>
#include <cstdint>
#include <string>

#include "services/classification/taxonomy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 8 * 1024) return 0;  // Hyperscan compiles slowly under ASan: keep taxonomies small
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  auto t = fbl::classification::Taxonomy::Parse(yaml, "fuzz.yaml");
  if (!t.ok()) {
    if (t.status().message().empty()) __builtin_trap();
    return 0;
  }
  for (const auto& p : (*t)->problems()) {
    if (p.code.empty()) __builtin_trap();
  }
  return 0;
}
