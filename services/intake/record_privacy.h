#pragma once
// What key rotation and erasure do to one stored FeedbackRecord (issue #10).
// Pure: no I/O.

#include <string_view>

#include "absl/status/statusor.h"
#include "feedback/v1/feedback.pb.h"
#include "libs/privacy/aead.h"

namespace fbl::intake {

// Re-seals the record's contact blob under `active_key` (the sealer's active
// contact key), same associated data (the feedback id). false: nothing to do
// (no contact, or already under `active_key`). Errors are Sealer::Open's
// (NOT_FOUND: the blob's key left the keyring; DATA_LOSS: corrupt blob).
[[nodiscard]] absl::StatusOr<bool> ResealContact(::feedbackloop::feedback::v1::FeedbackRecord& record,
                                                 const privacy::Sealer& sealer, std::string_view active_key);

// Removes the personal data of a customer who asked for erasure:
//   - contact (the sealed blob: phone, e-mail, WeChat id, name, address);
//   - external_id (the channel's message id: a post or review id that leads
//     back to the customer's account on the channel);
//   - attachments (photos and files the customer uploaded);
//   - place latitude/longitude (where the customer was; the store is kept);
//   - with `erase_text`, also title, text, normalized_text and
//     handler_judgement (replaced by kErasedText).
// customer_pseudonym is kept (not reversible; it is what the erasure is
// recorded under). Returns whether anything changed. Idempotent.
bool ErasePersonalData(::feedbackloop::feedback::v1::FeedbackRecord& record, bool erase_text);

inline constexpr std::string_view kErasedText = "[ERASED]";

}  // namespace fbl::intake
