#pragma once
// The fbl command tree: each Add*Commands registers one group of subcommands
// on the CLI11 app; a parsed subcommand leaves its action in Commands, which
// main runs with a Session. Shared option helpers check values while parsing,
// so a bad enum name, duration or time is a usage error (exit 2) that names
// the allowed values.

#include <google/protobuf/descriptor.h>

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "absl/status/statusor.h"
#include "common/v1/common.pb.h"
#include "tools/cli/parse.h"
#include "tools/cli/session.h"

namespace fbl::cli {

// Filled while parsing.
struct Commands {
  GlobalOptions options;
  // The chosen command; returns the exit code.
  std::function<int(Session&)> action;
};

// Makes `action` the command to run once `sub` has been parsed.
void SetAction(CLI::App* sub, Commands& c, std::function<int(Session&)> action);

// `--addr HOST:PORT` on a command group, overriding the service's address.
void AddAddressOption(CLI::App* group, Commands& c, Service s);

// An option taking a value of enum `e` in any spelling ResolveEnum accepts;
// its help lists the short names.
CLI::Option* AddEnumOption(CLI::App* app, const std::string& name, std::string* out,
                           const google::protobuf::EnumDescriptor* e, const std::string& help);
// The number of a value checked by AddEnumOption; 0 when `text` is empty.
int EnumValue(const google::protobuf::EnumDescriptor* e, const std::string& text);

// Validators for durations ("7d"), times ("2026-11-20", RFC 3339) and
// ranges ("2026-10-01..2026-10-31").
CLI::Validator DurationCheck();
CLI::Validator TimeCheck();
CLI::Validator RangeCheck();
CLI::Validator SinceCheck();

// --from, --to and --last for analytics queries.
struct PeriodOptions {
  std::string from, to, last;
  absl::Duration default_last = absl::Hours(24 * 7);
};
void AddPeriodOptions(CLI::App* sub, PeriodOptions* p);
absl::StatusOr<::feedbackloop::common::v1::Period> ResolvePeriodProto(const PeriodOptions& p, const Session& s);
::feedbackloop::common::v1::Period ToProto(const Period& p);

// Pages through a list rpc: `fetch(page_size, token, &next_token)` returns
// the number of items it printed or a negative exit code; stops after
// `limit` items (0 = all) or at the last page. Returns the exit code.
int ForEachPage(int limit, const std::function<int(int page_size, const std::string& token, std::string* next)>& fetch);

void AddFeedbackCommands(CLI::App& app, Commands& c);
void AddTicketCommands(CLI::App& app, Commands& c);
void AddAlertCommands(CLI::App& app, Commands& c);
void AddAnalyticsCommands(CLI::App& app, Commands& c);
void AddClassificationCommands(CLI::App& app, Commands& c);
void AddPrivacyCommands(CLI::App& app, Commands& c);

}  // namespace fbl::cli
