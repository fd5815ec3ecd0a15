#include "services/intake/intake_metrics.h"

namespace fbl::intake {

IntakeMetrics::IntakeMetrics(prometheus::Registry& registry)
    : received_(prometheus::BuildCounter()
                    .Name("intake_received_total")
                    .Help("Feedback submissions received, by entry point (kafka, grpc).")
                    .Register(registry)),
      records_(prometheus::BuildCounter()
                   .Name("intake_records_total")
                   .Help("Submissions by entry point and outcome (accepted, replay, rejected).")
                   .Register(registry)),
      rejected_(prometheus::BuildCounter()
                    .Name("intake_rejected_total")
                    .Help("Rejected submissions by reason code.")
                    .Register(registry)),
      near_duplicates_(prometheus::BuildCounter()
                           .Name("intake_near_duplicates_total")
                           .Help("Accepted feedback marked duplicate_of an earlier one.")
                           .Register(registry)
                           .Add({})),
      vague_(prometheus::BuildCounter()
                 .Name("intake_vague_total")
                 .Help("Accepted feedback flagged as too vague.")
                 .Register(registry)
                 .Add({})),
      pii_(prometheus::BuildCounter()
               .Name("intake_pii_masked_total")
               .Help("Feedback texts in which PII was masked, by kind.")
               .Register(registry)),
      batch_seconds_(prometheus::BuildHistogram()
                         .Name("intake_batch_seconds")
                         .Help("Time to process one batch from Kafka, including acknowledgements.")
                         .Register(registry)
                         .Add({}, prometheus::Histogram::BucketBoundaries{
                                      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5})),
      errors_(prometheus::BuildCounter()
                  .Name("intake_processing_errors_total")
                  .Help("Retryable failures by stage (redis, kafka); the work is retried.")
                  .Register(registry)),
      keyring_reloads_(prometheus::BuildCounter()
                           .Name("intake_keyring_reloads_total")
                           .Help("Keyring file reloads by result (ok, refused: the previous keys keep serving).")
                           .Register(registry)),
      erased_submissions_(prometheus::BuildCounter()
                              .Name("intake_erased_customer_submissions_total")
                              .Help("Accepted feedback of erased customers, kept without personal data.")
                              .Register(registry)
                              .Add({})),
      privacy_records_(prometheus::BuildCounter()
                           .Name("intake_privacy_records_total")
                           .Help("Stored records changed by privacy operations (resealed, reseal_failed, erased).")
                           .Register(registry)) {
  for (const char* result : {"ok", "refused"}) keyring_reloads_.Add({{"result", result}});
  for (const char* op : {"resealed", "reseal_failed", "erased"}) privacy_records_.Add({{"op", op}});
  for (const char* stage : {"redis", "kafka"}) errors_.Add({{"stage", stage}});
  for (const char* entry : {"kafka", "grpc"}) {
    received_.Add({{"entry_point", entry}});
    for (const char* outcome : {"accepted", "replay", "rejected"}) {
      records_.Add({{"entry_point", entry}, {"outcome", outcome}});
    }
  }
}

void IntakeMetrics::Record(const std::string& entry, const std::string& outcome, int n) {
  received_.Add({{"entry_point", entry}}).Increment(n);
  records_.Add({{"entry_point", entry}, {"outcome", outcome}}).Increment(n);
}

}  // namespace fbl::intake
