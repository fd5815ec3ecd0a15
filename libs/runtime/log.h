#pragma once
// JSON-lines logging to stdout: {"time","level","service","msg", ...fields}.
// Log where an error is handled, not where it is returned.

#include <initializer_list>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace fbl::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

using Field = std::pair<std::string_view, std::string_view>;

void SetLevel(Level level);
void SetService(std::string_view service);
[[nodiscard]] absl::StatusOr<Level> ParseLevel(std::string_view name);
bool Enabled(Level level);

void Write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

inline void Debug(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kDebug, m, f); }
inline void Info(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kInfo, m, f); }
inline void Warn(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kWarn, m, f); }
inline void Error(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kError, m, f); }

}  // namespace fbl::log
