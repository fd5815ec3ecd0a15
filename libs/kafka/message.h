#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fbl::kafka {

// Header naming a record's protobuf message type on every project topic.
inline constexpr char kSchemaHeader[] = "fbl-schema";

struct Header {
  std::string key;
  std::string value;
};

// A record to produce.
struct OutgoingMessage {
  std::string topic;
  std::string key;
  std::string value;
  std::vector<Header> headers;
};

// A consumed record, copied out of librdkafka's buffers.
struct Message {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;  // producer create time, 0 if absent
  std::string key;
  std::string value;
  std::vector<Header> headers;

  // Last value of header `name`, if present.
  std::optional<std::string_view> FindHeader(std::string_view name) const;
};

}  // namespace fbl::kafka
