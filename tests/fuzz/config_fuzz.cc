// libFuzzer: the typed YAML config loader on arbitrary documents.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "libs/runtime/config.h"

namespace {
struct Inner {
  std::string name;
  std::vector<std::string> terms;
  absl::Duration window = absl::Seconds(1);
};
void BindConfig(fbl::config::Binder& b, Inner& c) {
  b.Required("name", c.name);
  b.Field("terms", c.terms);
  b.Field("window", c.window);
}
struct Outer {
  int workers = 1;
  bool enabled = false;
  double ratio = 0;
  std::map<std::string, std::string> labels;
  Inner inner;
  std::vector<Inner> items;
  std::map<std::string, Inner> named;
};
void BindConfig(fbl::config::Binder& b, Outer& c) {
  b.Field("workers", c.workers);
  b.Field("enabled", c.enabled);
  b.Field("ratio", c.ratio);
  b.Field("labels", c.labels);
  b.Field("inner", c.inner);
  b.Field("items", c.items);
  b.Field("named", c.named);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto c = fbl::config::LoadFromString<Outer>(text, "fuzz.yaml", {{"FBL__INNER__NAME", "x"}});
  if (!c.ok() && c.status().message().empty()) __builtin_trap();  // errors always say what is wrong
  return 0;
}
