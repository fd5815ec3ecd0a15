#pragma once

#include <cstdint>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace fbl::intake {

// Intake's metrics, declared once. Accounting invariant, per entry point:
//   intake_received_total = sum over outcome of intake_records_total.
class IntakeMetrics {
 public:
  explicit IntakeMetrics(prometheus::Registry& registry);

  // entry: kafka | grpc. outcome: accepted | replay | rejected.
  void Record(const std::string& entry, const std::string& outcome, int n = 1);
  void Rejected(const std::string& reason) { rejected_.Add({{"reason", reason}}).Increment(); }
  void NearDuplicate() { near_duplicates_.Increment(); }
  void Vague() { vague_.Increment(); }
  void PiiMasked(const std::string& kind) { pii_.Add({{"kind", kind}}).Increment(); }
  void BatchSeconds(double s) { batch_seconds_.Observe(s); }
  void ProcessingError(const std::string& stage) { errors_.Add({{"stage", stage}}).Increment(); }
  // Keyring file reloads: ok (new keys serve) or refused (old keys keep serving).
  void KeyringReload(bool ok) { keyring_reloads_.Add({{"result", ok ? "ok" : "refused"}}).Increment(); }
  // Accepted records of erased customers, stored and published without personal data.
  void ErasedCustomerSubmission() { erased_submissions_.Increment(); }
  // Stored records changed by privacy operations. op: resealed | reseal_failed | erased.
  void PrivacyRecords(const std::string& op, int64_t n) {
    privacy_records_.Add({{"op", op}}).Increment(static_cast<double>(n));
  }

 private:
  prometheus::Family<prometheus::Counter>& received_;
  prometheus::Family<prometheus::Counter>& records_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Counter& near_duplicates_;
  prometheus::Counter& vague_;
  prometheus::Family<prometheus::Counter>& pii_;
  prometheus::Histogram& batch_seconds_;
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Family<prometheus::Counter>& keyring_reloads_;
  prometheus::Counter& erased_submissions_;
  prometheus::Family<prometheus::Counter>& privacy_records_;
};

}  // namespace fbl::intake
