#include "services/intake/record_privacy.h"

namespace fbl::intake {

namespace pb = ::feedbackloop::feedback::v1;

absl::StatusOr<bool> ResealContact(pb::FeedbackRecord& record, const privacy::Sealer& sealer,
                                   std::string_view active_key) {
  if (!record.has_contact() || record.contact().ciphertext().empty()) return false;
  const auto& blob = record.contact();
  if (blob.key_id() == active_key) return false;
  auto plain = sealer.Open({blob.key_id(), blob.algorithm(), blob.nonce(), blob.ciphertext()}, record.feedback_id());
  if (!plain.ok()) return plain.status();
  auto sealed = sealer.Seal(*plain, record.feedback_id());
  if (!sealed.ok()) return sealed.status();
  if (sealed->key_id != active_key) {
    // The sealer's keyring is not the one `active_key` came from.
    return absl::FailedPreconditionError("sealer's active contact key differs from the requested one");
  }
  auto* out = record.mutable_contact();
  out->set_key_id(sealed->key_id);
  out->set_algorithm(sealed->algorithm);
  out->set_nonce(sealed->nonce);
  out->set_ciphertext(sealed->ciphertext);
  return true;
}

bool ErasePersonalData(pb::FeedbackRecord& record, bool erase_text) {
  bool changed = false;
  if (record.has_contact()) {
    record.clear_contact();
    changed = true;
  }
  if (!record.external_id().empty()) {
    record.clear_external_id();
    changed = true;
  }
  if (record.attachments_size() > 0) {
    record.clear_attachments();
    changed = true;
  }
  if (record.has_place() && (record.place().has_latitude() || record.place().has_longitude())) {
    record.mutable_place()->clear_latitude();
    record.mutable_place()->clear_longitude();
    changed = true;
  }
  if (erase_text) {
    for (std::string* field : {record.mutable_title(), record.mutable_text(), record.mutable_normalized_text(),
                               record.mutable_handler_judgement()}) {
      if (!field->empty() && *field != kErasedText) {
        *field = std::string(kErasedText);
        changed = true;
      }
    }
  }
  return changed;
}

}  // namespace fbl::intake
