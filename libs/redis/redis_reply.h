#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fbl::redis {

enum class ReplyKind { kNil, kInteger, kString, kStatus, kError, kArray };

std::string_view ReplyKindName(ReplyKind kind);  // "nil", "integer", ...

// One RESP2 reply, deep-copied out of hiredis: a plain value type (copyable,
// comparable) that owns its data. Strings are binary-safe.
//
// Accessors never fail: integer() is 0 unless kind() is kInteger, str() is
// empty unless kind() is kString, kStatus or kError, elements() is empty
// unless kind() is kArray.
class Reply {
 public:
  Reply() = default;  // nil

  static Reply Nil() { return Reply(); }
  static Reply Integer(int64_t value);
  static Reply String(std::string value);  // bulk string
  static Reply Status(std::string value);  // simple string, e.g. "OK"
  static Reply Error(std::string message); // e.g. "ERR wrong number of arguments ..."
  static Reply Array(std::vector<Reply> elements);

  ReplyKind kind() const { return kind_; }
  bool is_nil() const { return kind_ == ReplyKind::kNil; }
  bool is_error() const { return kind_ == ReplyKind::kError; }
  int64_t integer() const { return integer_; }
  const std::string& str() const { return str_; }
  const std::vector<Reply>& elements() const { return elements_; }

  // For an error reply, its first word ("ERR", "NOSCRIPT", "WRONGTYPE", ...);
  // empty otherwise.
  std::string_view error_code() const;

  // Compact, escaped, redis-cli-like rendering for logs and test failures:
  // nil, 42, "bulk\x00", +OK, -ERR msg, ["a", 1, nil]. Bulk strings are
  // cut after 256 bytes.
  std::string DebugString() const;

  friend bool operator==(const Reply& a, const Reply& b) = default;

 private:
  ReplyKind kind_ = ReplyKind::kNil;
  int64_t integer_ = 0;
  std::string str_;
  std::vector<Reply> elements_;
};

}  // namespace fbl::redis
