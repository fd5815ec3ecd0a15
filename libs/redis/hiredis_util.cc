#include "libs/redis/hiredis_util.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace fbl::redis::internal {

absl::StatusOr<Reply> ReplyFromHiredis(const redisReply& reply) {
  switch (reply.type) {
    case REDIS_REPLY_NIL:
      return Reply::Nil();
    case REDIS_REPLY_INTEGER:
      return Reply::Integer(reply.integer);
    case REDIS_REPLY_STRING:
      return Reply::String(std::string(reply.str, reply.len));
    case REDIS_REPLY_STATUS:
      return Reply::Status(std::string(reply.str, reply.len));
    case REDIS_REPLY_ERROR:
      return Reply::Error(std::string(reply.str, reply.len));
    case REDIS_REPLY_ARRAY: {
      std::vector<Reply> elements;
      elements.reserve(reply.elements);
      for (size_t i = 0; i < reply.elements; ++i) {
        absl::StatusOr<Reply> e = ReplyFromHiredis(*reply.element[i]);
        if (!e.ok()) return e.status();
        elements.push_back(*std::move(e));
      }
      return Reply::Array(std::move(elements));
    }
    default:
      return absl::InternalError(absl::StrCat("redis: unsupported reply type ", reply.type));
  }
}

}  // namespace fbl::redis::internal
