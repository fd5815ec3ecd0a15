#include "libs/runtime/config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

extern char** environ;

namespace fbl::config {
namespace internal {

struct NodeRef {
  YAML::Node node;
  std::set<std::string, std::less<>> read_keys;
};

struct State {
  std::string origin;
  std::vector<std::string> errors;
  std::map<std::string, std::string> env_origin;  // key path -> env var that set it
  std::vector<std::pair<std::string, std::shared_ptr<NodeRef>>> maps;  // every map bound
};

std::map<std::string, std::string> ProcessEnv() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (!kv.starts_with("FBL__")) continue;
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

}  // namespace internal

using internal::NodeRef;
using internal::State;

namespace {

std::string Describe(const YAML::Node& n) {
  if (n.IsScalar()) return absl::StrCat("'", n.Scalar(), "'");
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  return "nothing";
}

template <typename T>
constexpr std::string_view TypeName() {
  if constexpr (std::is_same_v<T, std::string>) return "a string";
  if constexpr (std::is_same_v<T, bool>) return "true or false";
  if constexpr (std::is_integral_v<T>) return "an integer";
  if constexpr (std::is_floating_point_v<T>) return "a number";
  if constexpr (std::is_same_v<T, absl::Duration>) return "a duration like 250ms, 2s, 15m, 1h or 30d";
  if constexpr (std::is_same_v<T, std::vector<std::string>>) return "a list of strings";
  if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) return "a mapping of strings";
  return "a value";
}

template <typename T>
bool Convert(const YAML::Node& n, T& out) {
  if constexpr (std::is_same_v<T, absl::Duration>) {
    if (!n.IsScalar()) return false;
    auto d = ParseDuration(n.Scalar());
    if (!d.ok()) return false;
    out = *d;
    return true;
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!n.IsScalar()) return false;
    out = n.Scalar();
    return true;
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    if (!n.IsSequence()) return false;
    std::vector<std::string> v;
    for (const auto& item : n) {
      if (!item.IsScalar()) return false;
      v.push_back(item.Scalar());
    }
    out = std::move(v);
    return true;
  } else if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) {
    if (!n.IsMap()) return false;
    std::map<std::string, std::string> m;
    for (const auto& kv : n) {
      if (!kv.second.IsScalar()) return false;
      m[kv.first.Scalar()] = kv.second.Scalar();
    }
    out = std::move(m);
    return true;
  } else {
    if (!n.IsScalar()) return false;
    try {
      out = n.as<T>();
      return true;
    } catch (const YAML::Exception&) {
      return false;
    }
  }
}

}  // namespace

absl::StatusOr<absl::Duration> ParseDuration(std::string_view text) {
  std::string t(absl::StripAsciiWhitespace(std::string(text)));
  if (t.size() > 1 && t.back() == 'd' && std::isdigit(static_cast<unsigned char>(t[t.size() - 2]))) {
    double days;
    if (absl::SimpleAtod(t.substr(0, t.size() - 1), &days) && days >= 0) {
      return absl::Hours(24) * days;
    }
  } else {
    absl::Duration d;
    if (absl::ParseDuration(t, &d) && d >= absl::ZeroDuration()) return d;
  }
  return absl::InvalidArgumentError(absl::StrCat("not a duration: '", std::string(text), "'"));
}

Binder::Binder(std::shared_ptr<State> state, std::shared_ptr<NodeRef> node, std::string path)
    : state_(std::move(state)), node_(std::move(node)), path_(std::move(path)) {
  state_->maps.emplace_back(path_, node_);
}

std::string Binder::KeyPath(std::string_view key) const {
  return path_.empty() ? std::string(key) : absl::StrCat(path_, ".", std::string(key));
}

void FailBlankEntries(Binder& b, std::string_view key, const std::vector<std::string>& list) {
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i].find_first_not_of(" \t\r\n") == std::string::npos) {
      b.Fail(absl::StrCat(std::string(key), "[", i, "]"), "must not be empty");
    }
  }
}

bool Binder::Has(std::string_view key) const {
  if (!node_->node.IsMap()) return false;
  const YAML::Node& map = node_->node;
  YAML::Node n = map[std::string(key)];
  return n.IsDefined() && !n.IsNull();
}

void Binder::Fail(std::string_view key, std::string_view problem) {
  std::string where = absl::StrCat("key '", KeyPath(key), "'");
  if (auto it = state_->env_origin.find(KeyPath(key)); it != state_->env_origin.end()) {
    absl::StrAppend(&where, " (from ", it->second, ")");
  }
  state_->errors.push_back(absl::StrCat(where, " ", std::string(problem)));
}

template <typename T>
void Binder::Read(std::string_view key, T& out, bool required) {
  node_->read_keys.emplace(key);
  if (!Has(key)) {
    if (required) Fail(key, "is required");
    return;
  }
  const YAML::Node& map = node_->node;
  YAML::Node n = map[std::string(key)];
  if (!Convert(n, out)) Fail(key, absl::StrCat("must be ", std::string(TypeName<T>()), ", got ", Describe(n)));
}

std::unique_ptr<Binder> Binder::Child(std::string_view key) {
  node_->read_keys.emplace(key);
  if (!Has(key)) return nullptr;
  const YAML::Node& map = node_->node;
  YAML::Node n = map[std::string(key)];
  if (!n.IsMap()) {
    Fail(key, absl::StrCat("must be a mapping, got ", Describe(n)));
    return nullptr;
  }
  return std::make_unique<Binder>(state_, std::make_shared<NodeRef>(NodeRef{n, {}}), KeyPath(key));
}

void Binder::ForEachItem(std::string_view key, const std::function<void(Binder&)>& fn) {
  node_->read_keys.emplace(key);
  if (!Has(key)) return;
  const YAML::Node& map = node_->node;
  YAML::Node n = map[std::string(key)];
  if (!n.IsSequence()) {
    Fail(key, absl::StrCat("must be a list, got ", Describe(n)));
    return;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    std::string item_key = absl::StrCat(std::string(key), "[", i, "]");
    if (!n[i].IsMap()) {
      Fail(item_key, absl::StrCat("must be a mapping, got ", Describe(n[i])));
      continue;
    }
    Binder item(state_, std::make_shared<NodeRef>(NodeRef{n[i], {}}), KeyPath(item_key));
    fn(item);
  }
}

void Binder::ForEachEntry(std::string_view key,
                          const std::function<void(const std::string&, Binder&)>& fn) {
  auto child = Child(key);
  if (!child) return;
  for (const auto& kv : child->node_->node) {
    const std::string name = kv.first.Scalar();
    child->node_->read_keys.insert(name);
    if (!kv.second.IsMap()) {
      child->Fail(name, absl::StrCat("must be a mapping, got ", Describe(kv.second)));
      continue;
    }
    Binder entry(state_, std::make_shared<NodeRef>(NodeRef{kv.second, {}}), child->KeyPath(name));
    fn(name, entry);
  }
}

template void Binder::Read(std::string_view, std::string&, bool);
template void Binder::Read(std::string_view, bool&, bool);
template void Binder::Read(std::string_view, int&, bool);
template void Binder::Read(std::string_view, int64_t&, bool);
template void Binder::Read(std::string_view, double&, bool);
template void Binder::Read(std::string_view, absl::Duration&, bool);
template void Binder::Read(std::string_view, std::vector<std::string>&, bool);
template void Binder::Read(std::string_view, std::map<std::string, std::string>&, bool);

namespace internal {

absl::Status LoadInto(const std::string& path, const std::string* text,
                      const std::map<std::string, std::string>& env,
                      const std::function<void(Binder&)>& bind) {
  const std::string origin = path.empty() ? "(defaults)" : path;
  auto fail = [&](std::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("config ", origin, ": ", std::string(what)));
  };
  YAML::Node root;
  try {
    if (text != nullptr) {
      root = YAML::Load(*text);
    } else if (!path.empty()) {
      std::ifstream in(path);
      if (!in) return fail(absl::StrCat("cannot read file: ", std::strerror(errno)));
      root = YAML::Load(in);
    }
  } catch (const YAML::Exception& e) {
    return fail(absl::StrCat("invalid YAML at line ", e.mark.line + 1, ": ", e.msg));
  }
  if (root.IsNull() || !root.IsDefined()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) return fail("the top level must be a mapping of keys");

  auto state = std::make_shared<State>();
  state->origin = origin;
  for (const auto& [name, value] : env) {
    std::vector<std::string> parts = absl::StrSplit(name.substr(5), "__");
    YAML::Node cur;
    cur.reset(root);
    std::string key_path;
    for (size_t i = 0; i < parts.size(); ++i) {
      std::string part = absl::AsciiStrToLower(parts[i]);
      key_path = key_path.empty() ? part : absl::StrCat(key_path, ".", part);
      if (i + 1 == parts.size()) {
        YAML::Node parsed;
        try {
          parsed = YAML::Load(value);
        } catch (const YAML::Exception&) {
          parsed = YAML::Node(value);
        }
        if (parsed.IsNull()) parsed = YAML::Node(value);
        cur[part] = parsed;
        break;
      }
      YAML::Node next;
      next.reset(cur[part]);
      if (!next.IsDefined() || next.IsNull()) {
        cur[part] = YAML::Node(YAML::NodeType::Map);
        next.reset(cur[part]);
      }
      if (!next.IsMap()) return fail(absl::StrCat(name, ": '", key_path, "' is not a section"));
      cur.reset(next);
    }
    state->env_origin[key_path] = name;
  }

  Binder binder(state, std::make_shared<NodeRef>(NodeRef{root, {}}), "");
  bind(binder);
  for (const auto& [map_path, ref] : state->maps) {
    if (!ref->node.IsMap()) continue;
    for (const auto& kv : ref->node) {
      const std::string key = kv.first.Scalar();
      if (ref->read_keys.contains(key)) continue;
      std::string full = map_path.empty() ? key : absl::StrCat(map_path, ".", key);
      std::string msg = absl::StrCat("unknown key '", full, "'");
      if (auto it = state->env_origin.find(full); it != state->env_origin.end()) {
        absl::StrAppend(&msg, " (from ", it->second, ")");
      }
      state->errors.push_back(std::move(msg));
    }
  }
  if (!state->errors.empty()) return fail(absl::StrJoin(state->errors, "; "));
  return absl::OkStatus();
}

}  // namespace internal
}  // namespace fbl::config
