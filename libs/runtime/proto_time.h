#pragma once
// absl::Time / absl::Duration <-> google.protobuf.Timestamp / Duration, for
// the services' proto edges (nanosecond precision both ways).

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include <cstdint>

#include "absl/time/time.h"

namespace fbl::runtime {

inline google::protobuf::Timestamp ToProto(absl::Time t) {
  const int64_t ns = absl::ToUnixNanos(t);
  int64_t seconds = ns / 1000000000, nanos = ns % 1000000000;
  if (nanos < 0) {
    nanos += 1000000000;
    --seconds;
  }
  google::protobuf::Timestamp out;
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(nanos));
  return out;
}

inline absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

inline google::protobuf::Duration ToProto(absl::Duration d) {
  const int64_t ns = absl::ToInt64Nanoseconds(d);
  google::protobuf::Duration out;
  out.set_seconds(ns / 1000000000);
  out.set_nanos(static_cast<int32_t>(ns % 1000000000));
  return out;
}

inline absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

}  // namespace fbl::runtime
