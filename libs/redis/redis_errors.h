#pragma once
// Private to libs/redis.

#include <string_view>

namespace fbl::redis::internal {

// Error-reply codes that mean "the server cannot serve this right now":
// BUSY, LOADING, MASTERDOWN, TRYAGAIN, CLUSTERDOWN, READONLY.
bool IsTransientErrorCode(std::string_view code);

}  // namespace fbl::redis::internal
