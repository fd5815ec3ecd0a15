#pragma once
// Builds the standard record (INT-2, INT-3, SEC-1) from a valid submission.
// Pure: no I/O. The only place raw PII is read; nothing raw leaves it.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "feedback/v1/feedback.pb.h"
#include "libs/privacy/aead.h"
#include "libs/privacy/pseudonym.h"
#include "libs/text/normalize.h"
#include "libs/text/vague.h"

namespace fbl::intake {

struct BuiltRecord {
  ::feedbackloop::feedback::v1::FeedbackRecord record;
  std::vector<uint32_t> minhash;  // of the compacted text, for near-duplicate search
};

class RecordBuilder {
 public:
  RecordBuilder(text::Normalizer normalizer, text::VagueDetector vague,
                privacy::Pseudonymizer pseudonymizer, privacy::Sealer sealer)
      : normalizer_(std::move(normalizer)), vague_(std::move(vague)),
        pseudonymizer_(std::move(pseudonymizer)), sealer_(std::move(sealer)) {}

  [[nodiscard]] absl::StatusOr<BuiltRecord> Build(
      const ::feedbackloop::feedback::v1::FeedbackSubmission& submission,
      const std::string& feedback_id, absl::Time received_at) const;

  // Seals arbitrary bytes under the contact key (rejected originals).
  [[nodiscard]] absl::StatusOr<privacy::Sealed> Seal(std::string_view bytes,
                                                     std::string_view associated_data) const {
    return sealer_.Seal(bytes, associated_data);
  }

 private:
  text::Normalizer normalizer_;
  text::VagueDetector vague_;
  privacy::Pseudonymizer pseudonymizer_;
  privacy::Sealer sealer_;
};

// "zh" when the text has CJK ideographs, "en" when it is mostly Latin
// letters, else "und".
std::string DetectLanguage(std::string_view normalized);

}  // namespace fbl::intake
