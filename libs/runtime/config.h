#pragma once
// Typed configuration from YAML with environment overrides.
//
// A component describes its config with a free function found by ADL:
//   void BindConfig(fbl::config::Binder& b, MyConfig& c) {
//     b.Field("brokers", c.brokers);
//     b.Field("linger", c.linger);          // "5ms", "2s", "15m", "1h", "30d"
//     b.Required("group_id", c.group_id);
//     b.Field("kafka", c.kafka);            // nested struct with its own BindConfig
//   }
// Load<MyConfig>(path) then fails, with one line naming the file and the key,
// on a missing file, a wrong type, a missing required key or any key that no
// BindConfig read (so typos are caught). Environment variables
// FBL__SECTION__KEY=value override the file (value parsed as YAML); an
// override naming no known key is an error too.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace fbl::config {

namespace internal {
struct State;
struct NodeRef;
}  // namespace internal

class Binder {
 public:
  Binder(std::shared_ptr<internal::State> state, std::shared_ptr<internal::NodeRef> node,
         std::string path);

  // Optional fields: absent leaves the default in place.
  void Field(std::string_view key, std::string& out) { Read(key, out, false); }
  void Field(std::string_view key, bool& out) { Read(key, out, false); }
  void Field(std::string_view key, int& out) { Read(key, out, false); }
  void Field(std::string_view key, int64_t& out) { Read(key, out, false); }
  void Field(std::string_view key, double& out) { Read(key, out, false); }
  void Field(std::string_view key, absl::Duration& out) { Read(key, out, false); }
  void Field(std::string_view key, std::vector<std::string>& out) { Read(key, out, false); }
  void Field(std::string_view key, std::map<std::string, std::string>& out) { Read(key, out, false); }
  template <typename S>
  void Field(std::string_view key, S& out) {
    if (auto child = Child(key)) BindConfig(*child, out);
  }
  template <typename S>
  void Field(std::string_view key, std::vector<S>& out) {
    ForEachItem(key, [&](Binder& item) {
      S value{};
      BindConfig(item, value);
      out.push_back(std::move(value));
    });
  }
  template <typename S>
  void Field(std::string_view key, std::map<std::string, S>& out) {
    ForEachEntry(key, [&](const std::string& name, Binder& entry) {
      S value{};
      BindConfig(entry, value);
      out[name] = std::move(value);
    });
  }

  // Required fields: absent is an error.
  template <typename T>
  void Required(std::string_view key, T& out) {
    if (!Has(key)) {
      Fail(key, "is required");
      return;
    }
    Field(key, out);
  }

  // Records a semantic error about `key` (e.g. a value out of range).
  void Fail(std::string_view key, std::string_view problem);

  bool Has(std::string_view key) const;
  const std::string& path() const { return path_; }

 private:
  template <typename T>
  void Read(std::string_view key, T& out, bool required);
  std::unique_ptr<Binder> Child(std::string_view key);
  void ForEachItem(std::string_view key, const std::function<void(Binder&)>& fn);
  void ForEachEntry(std::string_view key,
                    const std::function<void(const std::string&, Binder&)>& fn);
  std::string KeyPath(std::string_view key) const;

  std::shared_ptr<internal::State> state_;
  std::shared_ptr<internal::NodeRef> node_;
  std::string path_;
};

// Parses "250ms", "2s", "1.5h", "15m", "30d" (days added to absl's syntax).
absl::StatusOr<absl::Duration> ParseDuration(std::string_view text);

// Fails `key`[i] for every empty or blank entry of `list` (term lists).
void FailBlankEntries(Binder& b, std::string_view key, const std::vector<std::string>& list);

namespace internal {
// Loads YAML (file or text), applies env overrides, runs `bind`, checks keys.
absl::Status LoadInto(const std::string& path, const std::string* text,
                      const std::map<std::string, std::string>& env,
                      const std::function<void(Binder&)>& bind);
std::map<std::string, std::string> ProcessEnv();
}  // namespace internal

// Loads `T` from the YAML file at `path` (empty: defaults only) plus the
// process environment.
template <typename T>
[[nodiscard]] absl::StatusOr<T> Load(const std::string& path) {
  T config{};
  absl::Status s = internal::LoadInto(path, nullptr, internal::ProcessEnv(),
                                      [&](Binder& b) { BindConfig(b, config); });
  if (!s.ok()) return s;
  return config;
}

// From the file alone, without environment overrides: for data files that
// are not a service's configuration (mappings, rules).
template <typename T>
[[nodiscard]] absl::StatusOr<T> LoadFile(const std::string& path) {
  T config{};
  absl::Status s = internal::LoadInto(path, nullptr, {}, [&](Binder& b) { BindConfig(b, config); });
  if (!s.ok()) return s;
  return config;
}

// Same from YAML text; `origin` names it in errors. For tests and tools.
template <typename T>
[[nodiscard]] absl::StatusOr<T> LoadFromString(const std::string& text, const std::string& origin,
                                               const std::map<std::string, std::string>& env = {}) {
  T config{};
  absl::Status s = internal::LoadInto(origin, &text, env, [&](Binder& b) { BindConfig(b, config); });
  if (!s.ok()) return s;
  return config;
}

}  // namespace fbl::config
