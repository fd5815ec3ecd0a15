// fbl: the command-line client of the Feedback Loop services for internal
// teams. main only wires: global options, the command groups, the session,
// and the exit code (0 ok, 1 server error, 2 usage error, 3 unavailable).
// Commands are in *_commands.cc; docs/cli.md describes them.
#include <cstdlib>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "absl/strings/str_cat.h"
#include "tools/cli/commands.h"
#include "tools/cli/session.h"

int main(int argc, char** argv) {
  namespace cli = fbl::cli;
  CLI::App app{"fbl: command-line client of the Feedback Loop services (intake, classification, alerting, "
               "workorder, analytics)"};
  app.fallthrough();  // global options may follow the command
  app.require_subcommand(1);
  app.get_formatter()->column_width(34);
  app.footer("Exit codes: 0 ok, 1 the service answered with an error, 2 usage error, 3 service unreachable or "
             "no answer in time. See docs/cli.md.");

  cli::Commands commands;
  cli::GlobalOptions& g = commands.options;
  for (int i = 0; i < cli::kServiceCount; ++i) {
    const auto s = static_cast<cli::Service>(i);
    g.addresses[i] = cli::DefaultAddress(s);
    app.add_option(cli::Info(s).flag, g.addresses[i],
                   absl::StrCat(cli::Info(s).name, " address (env ", cli::Info(s).env, ")"))
        ->capture_default_str();
  }
  g.user = cli::DefaultUser();
  if (const char* tz = std::getenv("FBL_TZ"); tz != nullptr && *tz != '\0') g.time_zone = tz;
  app.add_option("--timeout", g.timeout, "deadline per call, e.g. 30s (default 10s; reports 120s)");
  app.add_option("--user", g.user, "who acts: actor of changes, sent as x-fbl-user (env FBL_USER, USER)")
      ->capture_default_str();
  app.add_option("--tz", g.time_zone, "time zone of times shown and dates given (env FBL_TZ)")->capture_default_str();
  app.add_flag("--json", g.json, "print responses as proto3 JSON, one object per line for lists");
  app.add_flag("-q,--quiet", g.quiet, "print only ids, one per line");
  if (const char* ca = std::getenv("FBL_TLS_CA"); ca != nullptr) g.tls_ca = ca;
  if (const char* token = std::getenv("FBL_TOKEN"); token != nullptr) g.token = token;
  std::string token_file;
  app.add_option("--tls-ca", g.tls_ca, "CA certificate (PEM) of the services' TLS; unset = plaintext (env FBL_TLS_CA)");
  app.add_option("--token-file", token_file,
                 "file holding this caller's bearer token (env FBL_TOKEN holds the token itself); needs --tls-ca")
      ->check(CLI::ExistingFile);

  cli::AddFeedbackCommands(app, commands);
  cli::AddTicketCommands(app, commands);
  cli::AddAlertCommands(app, commands);
  cli::AddAnalyticsCommands(app, commands);
  cli::AddClassificationCommands(app, commands);
  cli::AddPrivacyCommands(app, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? cli::kExitOk : cli::kExitUsage;
  }
  if (!commands.action) return cli::UsageError("no command; see fbl --help");
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    std::getline(in, g.token);
    while (!g.token.empty() && (g.token.back() == '\r' || g.token.back() == ' ')) g.token.pop_back();
    if (g.token.empty()) return cli::UsageError("--token-file: " + token_file + " holds no token");
  }
  auto session = cli::Session::Create(commands.options);
  if (!session.ok()) return cli::UsageError(session.status().message());
  return commands.action(**session);
}
