#include "services/intake/record_builder.h"

#include <google/protobuf/util/time_util.h>

#include "libs/text/minhash.h"
#include "libs/text/pii.h"
#include "libs/text/simhash.h"
#include "libs/text/utf8.h"

namespace fbl::intake {
namespace {

namespace pb = ::feedbackloop::feedback::v1;

pb::PiiKind ToProto(text::PiiKind k) {
  switch (k) {
    case text::PiiKind::kPhone: return pb::PII_KIND_PHONE;
    case text::PiiKind::kEmail: return pb::PII_KIND_EMAIL;
    case text::PiiKind::kIdCard: return pb::PII_KIND_ID_CARD;
    case text::PiiKind::kBankCard: return pb::PII_KIND_BANK_CARD;
  }
  return pb::PII_KIND_UNSPECIFIED;
}

pb::VagueReason ToProto(text::VagueReason r) {
  switch (r) {
    case text::VagueReason::kTooShort: return pb::VAGUE_REASON_TOO_SHORT;
    case text::VagueReason::kNoSymptom: return pb::VAGUE_REASON_NO_SYMPTOM;
    case text::VagueReason::kGenericPhraseOnly: return pb::VAGUE_REASON_GENERIC_PHRASE_ONLY;
  }
  return pb::VAGUE_REASON_UNSPECIFIED;
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

void AddPiiKinds(const std::vector<text::PiiKind>& kinds, pb::FeedbackRecord& r) {
  for (text::PiiKind k : kinds) {
    pb::PiiKind p = ToProto(k);
    bool seen = false;
    for (int existing : r.masked_pii_kinds()) seen |= existing == p;
    if (!seen) r.add_masked_pii_kinds(p);
  }
}

}  // namespace

std::string DetectLanguage(std::string_view s) {
  size_t cjk = 0, latin = 0, pos = 0;
  while (pos < s.size()) {
    char32_t cp = text::NextCodePoint(s, &pos);
    if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF)) {
      ++cjk;
    } else if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
      ++latin;
    }
  }
  if (cjk > 0 && cjk * 4 >= latin) return "zh";  // a Chinese review with a model name is still zh
  if (latin > 0) return "en";
  return "und";
}

absl::StatusOr<BuiltRecord> RecordBuilder::Build(const pb::FeedbackSubmission& s,
                                                 const std::string& feedback_id,
                                                 absl::Time received_at) const {
  BuiltRecord out;
  pb::FeedbackRecord& r = out.record;
  r.set_feedback_id(feedback_id);
  *r.mutable_received_at() = ToTimestamp(received_at);
  if (s.has_submitted_at()) *r.mutable_submitted_at() = s.submitted_at();
  r.set_source(s.source());
  r.set_channel(s.channel());
  r.set_external_id(s.external_id());
  r.set_offline(s.offline());
  r.set_customer_pseudonym(pseudonymizer_.Pseudonymize(s.source(), s.customer_id()));
  if (s.has_contact() && s.contact().ByteSizeLong() > 0) {
    auto sealed = sealer_.Seal(s.contact().SerializeAsString(), feedback_id);
    if (!sealed.ok()) return sealed.status();
    auto* blob = r.mutable_contact();
    blob->set_key_id(sealed->key_id);
    blob->set_algorithm(sealed->algorithm);
    blob->set_nonce(sealed->nonce);
    blob->set_ciphertext(sealed->ciphertext);
  }
  r.set_customer_type(s.customer_type());

  text::MaskResult title = text::MaskPii(text::StripBom(s.title()));
  text::MaskResult body = text::MaskPii(text::StripBom(s.text()));
  text::MaskResult judgement = text::MaskPii(s.handler_judgement());
  r.set_title(title.text);
  r.set_text(body.text);
  r.set_handler_judgement(judgement.text);
  AddPiiKinds(title.kinds, r);
  AddPiiKinds(body.kinds, r);
  AddPiiKinds(judgement.kinds, r);

  const std::string normalized = normalizer_.Normalize(
      title.text.empty() ? body.text : title.text + " " + body.text);
  r.set_normalized_text(normalized);
  r.set_language(!s.language().empty() ? s.language() : DetectLanguage(normalized));

  r.set_demand(s.demand());
  r.set_emotion(s.emotion());
  if (s.has_product()) *r.mutable_product() = s.product();
  r.set_frequency(s.frequency());
  r.set_impact(s.impact());
  *r.mutable_attachments() = s.attachments();
  if (s.has_place()) *r.mutable_place() = s.place();
  *r.mutable_labels() = s.labels();

  const std::vector<text::VagueReason> reasons = vague_.Check(normalizer_.Normalize(body.text));
  auto* quality = r.mutable_quality();
  quality->set_vague(!reasons.empty());
  for (text::VagueReason reason : reasons) quality->add_reasons(ToProto(reason));
  if (!reasons.empty()) quality->set_hint(text::VagueHint(reasons));

  const std::string compacted = text::Compact(normalized);
  r.set_simhash(text::SimHash(compacted));
  out.minhash = text::MinHashSignature(compacted);
  return out;
}

}  // namespace fbl::intake
