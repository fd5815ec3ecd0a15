#include "tools/cli/session.h"

#include <google/protobuf/util/json_util.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "google/rpc/status.pb.h"
#include "libs/runtime/proto_time.h"
#include "tools/cli/format.h"
#include "tools/cli/parse.h"

namespace fbl::cli {
namespace {

constexpr std::array<ServiceInfo, kServiceCount> kServices = {{
    {"intake", "--intake-addr", "FBL_INTAKE_ADDR", "127.0.0.1:50051"},
    {"classification", "--classification-addr", "FBL_CLASSIFICATION_ADDR", "127.0.0.1:50052"},
    {"alerting", "--alerting-addr", "FBL_ALERTING_ADDR", "127.0.0.1:50053"},
    {"workorder", "--workorder-addr", "FBL_WORKORDER_ADDR", "127.0.0.1:50055"},
    {"analytics", "--analytics-addr", "FBL_ANALYTICS_ADDR", "127.0.0.1:50056"},
}};

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

}  // namespace

const ServiceInfo& Info(Service s) { return kServices[static_cast<int>(s)]; }

std::string DefaultAddress(Service s) {
  std::string env = Env(Info(s).env);
  return env.empty() ? Info(s).default_addr : env;
}

std::string DefaultUser() {
  for (const char* name : {"FBL_USER", "USER"}) {
    if (std::string v = Env(name); !v.empty()) return v;
  }
  return "fbl";
}

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN_CODE";
  }
}

int ExitCodeFor(grpc::StatusCode code) {
  if (code == grpc::StatusCode::OK) return kExitOk;
  if (code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED) return kExitUnavailable;
  return kExitServerError;
}

int UsageError(absl::string_view message) {
  std::cerr << "fbl: " << message << "\n";
  return kExitUsage;
}

absl::StatusOr<std::unique_ptr<Session>> Session::Create(GlobalOptions options) {
  absl::Duration timeout = absl::ZeroDuration();
  if (!options.timeout.empty()) {
    auto d = ParseDuration(options.timeout);
    if (!d.ok()) return absl::InvalidArgumentError(absl::StrCat("--timeout: ", d.status().message()));
    timeout = *d;
  }
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(options.time_zone, &tz)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tz: unknown time zone '", options.time_zone, "' (use an IANA name such as Asia/Shanghai or UTC)"));
  }
  if (options.user.empty()) return absl::InvalidArgumentError("--user: empty user");
  for (int i = 0; i < kServiceCount; ++i) {
    if (options.addresses[i].empty()) {
      return absl::InvalidArgumentError(absl::StrCat(kServices[i].flag, ": empty address"));
    }
  }
  if (!options.token.empty() && options.tls_ca.empty()) {
    return absl::InvalidArgumentError("a token needs --tls-ca (tokens are never sent in plaintext)");
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!options.tls_ca.empty()) {
    std::ifstream in(options.tls_ca);
    std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in || pem.empty()) return absl::InvalidArgumentError(absl::StrCat("--tls-ca: cannot read ", options.tls_ca));
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = std::move(pem);
    credentials = grpc::SslCredentials(ssl);
  }
  return std::unique_ptr<Session>(new Session(std::move(options), timeout, tz, std::move(credentials)));
}

std::shared_ptr<grpc::Channel> Session::Channel(Service s) {
  auto& channel = channels_[static_cast<int>(s)];
  if (channel == nullptr) {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 << 20);  // reports with inline charts
    args.SetUserAgentPrefix("fbl-cli");
    channel = grpc::CreateCustomChannel(address(s), credentials_, args);
  }
  return channel;
}

std::unique_ptr<grpc::ClientContext> Session::Context(absl::Duration default_timeout) const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  const absl::Duration timeout = timeout_ > absl::ZeroDuration() ? timeout_ : default_timeout;
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  ctx->AddMetadata("x-fbl-user", options_.user);
  if (!options_.token.empty()) ctx->AddMetadata("authorization", "Bearer " + options_.token);
  return ctx;
}

int Session::Fail(Service s, absl::string_view rpc, const grpc::Status& status) const {
  const ServiceInfo& info = Info(s);
  const std::string where = absl::StrCat(info.name, " ", rpc, " at ", address(s));
  // The channel's own failures (no server there), as opposed to UNAVAILABLE
  // answered by a running service whose store is down.
  const std::string& m = status.error_message();
  const bool no_connection = m.find("failed to connect to all addresses") != std::string::npos ||
                             m.find("DNS resolution failed") != std::string::npos;
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE && no_connection) {
    std::cerr << "fbl: cannot reach " << info.name << " at " << address(s) << " (UNAVAILABLE: " << status.error_message()
              << "); is it running? The address is set by " << info.flag << " or " << info.env << "\n";
  } else if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    std::cerr << "fbl: " << where << ": no answer in time (DEADLINE_EXCEEDED: " << status.error_message()
              << "); --timeout sets the limit\n";
  } else {
    std::cerr << "fbl: " << where << ": " << CodeName(status.error_code()) << ": " << status.error_message() << "\n";
  }
  if (!status.error_details().empty()) {
    google::rpc::Status details;
    if (details.ParseFromString(status.error_details())) {
      for (const auto& any : details.details()) {
        google::rpc::BadRequest bad;
        if (!any.UnpackTo(&bad)) continue;
        for (const auto& v : bad.field_violations()) std::cerr << "  " << v.field() << ": " << v.description() << "\n";
      }
    }
  }
  return ExitCodeFor(status.error_code());
}

void Session::PrintJson(const google::protobuf::Message& m) const {
  google::protobuf::util::JsonPrintOptions o;
  o.add_whitespace = false;
  o.always_print_primitive_fields = true;
  std::string out;
  auto st = google::protobuf::util::MessageToJsonString(m, &out, o);
  if (!st.ok()) {
    std::cerr << "fbl: cannot print " << m.GetTypeName() << " as JSON: " << st.message() << "\n";
    return;
  }
  std::cout << out << "\n";
}

std::string Session::Time(const google::protobuf::Timestamp& t) const {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return FormatLocalTime(runtime::FromProto(t), tz_);
}

}  // namespace fbl::cli
