// libFuzzer: red-alert rule files (libs/redalert): parse, compile, and match
// a real crisis text against whatever compiled.
#include <cstddef>
#include <cstdint>
#include <string>

#include "libs/redalert/matcher.h"
#include "libs/redalert/rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4 * 1024) return 0;  // Hyperscan compiles slowly under ASan: keep rule sets small
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  auto rules = fbl::redalert::ParseRuleSet(yaml, "fuzz.yaml");
  if (!rules.ok()) {
    if (rules.status().message().empty()) __builtin_trap();  // errors always say what is wrong
    return 0;
  }
  auto matcher = fbl::redalert::Matcher::Create(*rules);
  if (!matcher.ok()) {
    if (matcher.status().message().empty()) __builtin_trap();
    return 0;
  }
  (void)(*matcher)->Match("刹车失灵，高速上差点出事故，要求厂家给说法");
  (void)(*matcher)->Match(yaml);
  return 0;
}
