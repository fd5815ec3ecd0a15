// fbl privacy erase | rotate-keys — data protection (issue #10): erasing one
// customer across intake and workorder, re-sealing contact details after a
// key rotation. Both need the privacy.admin permission.
#include <iostream>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "intake/v1/intake_service.grpc.pb.h"
#include "tools/cli/commands.h"
#include "workorder/v1/workorder.grpc.pb.h"

namespace fbl::cli {
namespace {

namespace ipb = ::feedbackloop::intake::v1;
namespace wpb = ::feedbackloop::workorder::v1;

// Erasure and re-sealing walk whole stores: a longer default deadline.
constexpr absl::Duration kPrivacyTimeout = absl::Seconds(120);

bool IsPseudonym(const std::string& s) {
  if (s.size() != 34 || s.rfind("c_", 0) != 0) return false;
  for (char c : s.substr(2)) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

// ---- erase ----

struct EraseOptions {
  std::string pseudonym, reason;
  bool erase_text = false;
  bool scan_all = false;
};

int Erase(Session& s, const EraseOptions& o) {
  if (!IsPseudonym(o.pseudonym)) return UsageError("PSEUDONYM must be \"c_\" followed by 32 lower-case hex digits");
  if (o.reason.find_first_not_of(" \t\r\n") == std::string::npos) return UsageError("--reason must not be empty");
  // Intake first: it marks the customer erased, so nothing new of theirs is
  // stored with personal data while the tickets are being erased.
  ipb::EraseCustomerRequest ireq;
  ireq.set_customer_pseudonym(o.pseudonym);
  ireq.set_reason(o.reason);
  ireq.set_erase_text(o.erase_text);
  ireq.set_scan_all(o.scan_all);
  ipb::EraseCustomerResponse iresp;
  grpc::Status st = ipb::IntakeService::NewStub(s.Channel(Service::kIntake))
                        ->EraseCustomer(s.Context(kPrivacyTimeout).get(), ireq, &iresp);
  if (!st.ok()) return s.Fail(Service::kIntake, "EraseCustomer", st);
  if (s.json()) {
    s.PrintJson(iresp);
  } else if (s.quiet()) {
    std::cout << iresp.audit_entry_id() << "\n";
  } else {
    std::cout << "intake: " << iresp.records_found() << " records found, " << iresp.records_erased()
              << " erased now; " << (iresp.first_request() ? "first request" : "erased before") << ", since "
              << s.Time(iresp.erased_at()) << "; audit entry " << iresp.audit_entry_id() << "\n";
  }
  wpb::EraseCustomerRequest wreq;
  wreq.set_customer_pseudonym(o.pseudonym);
  wreq.set_reason(o.reason);
  wreq.set_erase_text(o.erase_text);
  wreq.set_scan_all(o.scan_all);
  wpb::EraseCustomerResponse wresp;
  st = wpb::WorkorderService::NewStub(s.Channel(Service::kWorkorder))
           ->EraseCustomer(s.Context(kPrivacyTimeout).get(), wreq, &wresp);
  if (!st.ok()) {
    std::cerr << "fbl: intake is done; run the same command again to finish the tickets (it is idempotent)\n";
    return s.Fail(Service::kWorkorder, "EraseCustomer", st);
  }
  if (s.json()) {
    s.PrintJson(wresp);
  } else if (s.quiet()) {
    std::cout << wresp.audit_entry_id() << "\n";
  } else {
    std::cout << "workorder: " << wresp.tickets_found() << " tickets found, " << wresp.tickets_changed()
              << " changed now; audit entry " << wresp.audit_entry_id() << "\n";
    if (!o.erase_text && wresp.tickets_found() > 0) {
      std::cout << "(ticket text kept: add --erase-text to replace it with [ERASED])\n";
    }
  }
  return kExitOk;
}

// ---- rotate-keys ----

struct RotateOptions {
  int page_size = 500;
  int pages_per_call = 20;
  std::string cursor;
};

int Rotate(Session& s, const RotateOptions& o) {
  auto stub = ipb::IntakeService::NewStub(s.Channel(Service::kIntake));
  ipb::RotateContactKeysResponse total;
  std::string cursor = o.cursor.empty() ? "0" : o.cursor;
  int calls = 0;
  do {
    ipb::RotateContactKeysRequest req;
    req.set_cursor(cursor);
    req.set_page_size(o.page_size);
    req.set_max_pages(o.pages_per_call);
    ipb::RotateContactKeysResponse resp;
    grpc::Status st = stub->RotateContactKeys(s.Context(kPrivacyTimeout).get(), req, &resp);
    if (!st.ok()) {
      if (cursor != "0") std::cerr << "fbl: resume with --cursor " << cursor << "\n";
      return s.Fail(Service::kIntake, "RotateContactKeys", st);
    }
    ++calls;
    cursor = resp.next_cursor().empty() ? "0" : resp.next_cursor();
    total.set_active_key_id(resp.active_key_id());
    total.set_scanned(total.scanned() + resp.scanned());
    total.set_resealed(total.resealed() + resp.resealed());
    total.set_unchanged(total.unchanged() + resp.unchanged());
    total.set_failed(total.failed() + resp.failed());
    for (const std::string& f : resp.failures()) *total.add_failures() = f;
    if (s.json()) {
      s.PrintJson(resp);  // one line per call: progress for scripts
    } else if (!s.quiet()) {
      // Progress on stderr, the result on stdout.
      std::cerr << "call " << calls << ": scanned " << total.scanned() << ", re-sealed " << total.resealed()
                << ", unchanged " << total.unchanged() << ", failed " << total.failed()
                << (cursor == "0" ? ", done" : absl::StrCat(", next cursor ", cursor)) << "\n";
    }
  } while (cursor != "0");
  if (!s.json()) {
    if (s.quiet()) {
      std::cout << total.active_key_id() << "\n";
    } else {
      std::cout << "active key " << total.active_key_id() << ": scanned " << total.scanned() << ", re-sealed "
                << total.resealed() << ", unchanged " << total.unchanged() << ", failed " << total.failed() << "\n";
      for (const std::string& f : total.failures()) std::cout << "  failed: " << f << "\n";
    }
  }
  if (total.failed() > 0) {
    std::cerr << "fbl: " << total.failed()
              << " records were not re-sealed; keep their old keys in the keyring (docs/security.md)\n";
    return kExitServerError;
  }
  return kExitOk;
}

}  // namespace

void AddPrivacyCommands(CLI::App& app, Commands& c) {
  auto* group = app.add_subcommand(
      "privacy", "Data protection (intake and workorder; needs privacy.admin): erasure, contact key rotation");
  group->require_subcommand(1);

  auto eo = std::make_shared<EraseOptions>();
  auto* erase = group->add_subcommand(
      "erase", "Erase one customer's personal data: intake's records (EraseCustomer), then their tickets");
  erase->add_option("PSEUDONYM", eo->pseudonym, "customer pseudonym, c_ + 32 hex digits")->required();
  erase->add_option("--reason", eo->reason, "why, e.g. the request's ticket; recorded in fbl:audit:erasure")
      ->required();
  erase->add_flag("--erase-text", eo->erase_text,
                  "also replace the stored texts (feedback text, ticket title/summary, comments) with [ERASED]");
  erase->add_flag("--scan-all", eo->scan_all, "also scan every record and ticket, not only the customer's index");
  SetAction(erase, c, [eo](Session& s) { return Erase(s, *eo); });

  auto ro = std::make_shared<RotateOptions>();
  auto* rotate = group->add_subcommand(
      "rotate-keys", "Re-seal stored contact details under the active contact key (intake), page by page");
  rotate->add_option("--page-size", ro->page_size, "records per SCAN step (1..10000)")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  rotate->add_option("--pages-per-call", ro->pages_per_call, "SCAN steps per call (progress between calls)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  rotate->add_option("--cursor", ro->cursor, "resume from this cursor (printed when a run stops)");
  SetAction(rotate, c, [ro](Session& s) { return Rotate(s, *ro); });
}

}  // namespace fbl::cli
