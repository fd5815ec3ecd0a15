#pragma once
// What every fbl command shares: the global options, one gRPC channel per
// service, call deadlines and metadata, error reports with exit codes, and
// output as tables or JSON lines.

#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>
#include <grpcpp/grpcpp.h>

#include <array>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace fbl::cli {

// Exit codes of fbl.
inline constexpr int kExitOk = 0;
inline constexpr int kExitServerError = 1;  // the service answered with an error
inline constexpr int kExitUsage = 2;        // bad command line or input file
inline constexpr int kExitUnavailable = 3;  // the service could not be reached or did not answer in time

enum class Service { kIntake = 0, kClassification, kAlerting, kWorkorder, kAnalytics };
inline constexpr int kServiceCount = 5;

struct ServiceInfo {
  const char* name;          // "intake"
  const char* flag;          // "--intake-addr"
  const char* env;           // "FBL_INTAKE_ADDR"
  const char* default_addr;  // "127.0.0.1:50051"
};
const ServiceInfo& Info(Service s);

// The global options, as parsed.
struct GlobalOptions {
  // host:port per service; flag > environment > default.
  std::array<std::string, kServiceCount> addresses;
  // Per-call deadline, e.g. "10s"; empty = the command's default.
  std::string timeout;
  // Who is acting: sent as metadata x-fbl-user and used as the actor of
  // changes (tickets, alerts, corrections).
  std::string user;
  // Time zone for times shown and for dates given (IANA name).
  std::string time_zone = "Asia/Shanghai";
  // Responses as proto3 JSON, one object per line for lists.
  bool json = false;
  // Only ids, one per line (for scripts).
  bool quiet = false;
  // TLS: PEM file of the CA that signed the services' certificates; empty =
  // plaintext. Required with a token (tokens never travel in plaintext).
  std::string tls_ca;
  // Bearer token of this caller (docs/security.md), sent as
  // "authorization: Bearer <token>"; read from a file or $FBL_TOKEN.
  std::string token;
};

// The default address of a service: $FBL_<SERVICE>_ADDR, else the local port.
std::string DefaultAddress(Service s);
// The default user: $FBL_USER, else $USER, else "fbl".
std::string DefaultUser();

// gRPC status code name, e.g. "FAILED_PRECONDITION".
const char* CodeName(grpc::StatusCode code);
// The exit code for a failed call: 3 for UNAVAILABLE and DEADLINE_EXCEEDED,
// 1 for every other error, 0 for OK.
int ExitCodeFor(grpc::StatusCode code);

// Prints "fbl: <message>" on stderr and returns kExitUsage.
int UsageError(absl::string_view message);

class Session {
 public:
  // Fails (INVALID_ARGUMENT) on a bad timeout or time zone.
  static absl::StatusOr<std::unique_ptr<Session>> Create(GlobalOptions options);

  const GlobalOptions& options() const { return options_; }
  bool json() const { return options_.json; }
  bool quiet() const { return options_.quiet; }
  const std::string& user() const { return options_.user; }
  absl::TimeZone tz() const { return tz_; }
  const std::string& address(Service s) const { return options_.addresses[static_cast<int>(s)]; }

  // The channel to a service (plaintext; the services listen on loopback or
  // behind the mesh), created on first use.
  std::shared_ptr<grpc::Channel> Channel(Service s);

  // A context for one call: the deadline (--timeout, else `default_timeout`)
  // and the metadata x-fbl-user.
  std::unique_ptr<grpc::ClientContext> Context(absl::Duration default_timeout = absl::Seconds(10)) const;

  // Reports a failed call on stderr — service, rpc, address, status code and
  // message, and the field violations of a google.rpc.BadRequest detail —
  // and returns its exit code.
  int Fail(Service s, absl::string_view rpc, const grpc::Status& status) const;

  // Writes `m` as one line of proto3 JSON to stdout (all fields, defaults
  // included, so scripts need not guess).
  void PrintJson(const google::protobuf::Message& m) const;

  // The time as text in the session's time zone ("" when unset).
  std::string Time(const google::protobuf::Timestamp& t) const;

 private:
  Session(GlobalOptions options, absl::Duration timeout, absl::TimeZone tz,
          std::shared_ptr<grpc::ChannelCredentials> credentials)
      : options_(std::move(options)), timeout_(timeout), tz_(tz), credentials_(std::move(credentials)) {}

  GlobalOptions options_;
  absl::Duration timeout_;  // ZeroDuration = the command's default
  absl::TimeZone tz_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::array<std::shared_ptr<grpc::Channel>, kServiceCount> channels_;
};

}  // namespace fbl::cli
