#pragma once
// Private to libs/redis: the only header here that includes hiredis. Public
// headers never include it; services never see hiredis types.

#include <hiredis/hiredis.h>

#include <memory>

#include "absl/status/statusor.h"
#include "libs/redis/redis_reply.h"

namespace fbl::redis::internal {

struct HiredisDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
  void operator()(redisReply* r) const { freeReplyObject(r); }
  void operator()(redisReader* r) const { redisReaderFree(r); }
};
using ContextPtr = std::unique_ptr<redisContext, HiredisDeleter>;
using ReplyPtr = std::unique_ptr<redisReply, HiredisDeleter>;
using ReaderPtr = std::unique_ptr<redisReader, HiredisDeleter>;

// Deep copy of a hiredis reply; INTERNAL for a reply type hiredis 0.14 does
// not produce (RESP3 types are never negotiated).
absl::StatusOr<Reply> ReplyFromHiredis(const redisReply& reply);

}  // namespace fbl::redis::internal
