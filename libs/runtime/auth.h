#pragma once
// Authentication and roles for every gRPC API (SEC, issue #10).
//
//   server:
//     auth:
//       tls: {cert_file: /run/secrets/tls.crt, key_file: /run/secrets/tls.key,
//             client_ca_file: /run/secrets/ca.crt, require_client_cert: true}
//       callers_file: /run/secrets/callers.yaml     # or FBL__SERVER__AUTH__CALLERS_FILE
//       roles: {analyst: {permissions: [feedback.read, ticket.read]}}  # overrides a default
//
//   callers.yaml (never in the repo):
//     callers:
//       - {name: weibo-connector, token_sha256: <hex sha256 of the token>, roles: [connector]}
//       - {name: alice, client_cert_cn: alice.ops, roles: [supervisor]}
//
// Off by default: without `tls.cert_file` the server is plaintext and open, as
// before. With TLS and no callers, calls are encrypted but not authorised.
// With callers, every call except grpc.health.v1 and server reflection needs
// a known caller — `authorization: Bearer <token>` metadata (matched by the
// SHA-256 of the token) or, with mTLS, a client certificate whose common name
// is listed — else UNAUTHENTICATED; a known caller whose roles lack the
// method's permission gets PERMISSION_DENIED. Handlers read the caller with
// runtime::CallerOf(context).

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/runtime/config.h"

namespace grpc {
class AuthMetadataProcessor;
class ServerContext;
class ServerCredentials;
}  // namespace grpc

namespace fbl::runtime {

// Permissions. A role grants a set of them; "*" grants all.
inline constexpr std::string_view kPermAll = "*";
inline constexpr std::string_view kPermFeedbackSubmit = "feedback.submit";
inline constexpr std::string_view kPermFeedbackRead = "feedback.read";
inline constexpr std::string_view kPermPiiRead = "pii.read";  // decrypted contact data
inline constexpr std::string_view kPermTicketRead = "ticket.read";
inline constexpr std::string_view kPermTicketWrite = "ticket.write";
inline constexpr std::string_view kPermTicketAdmin = "ticket.admin";  // agents, plans
inline constexpr std::string_view kPermAlertRead = "alert.read";    // red alerts, deliveries
inline constexpr std::string_view kPermAlertWrite = "alert.write";  // acknowledge, resolve, contact
inline constexpr std::string_view kPermAnalyticsRead = "analytics.read";  // aggregates, reports
inline constexpr std::string_view kPermTagsWrite = "tags.write";    // tag corrections (training data)
inline constexpr std::string_view kPermPrivacyAdmin = "privacy.admin";  // erasure, re-sealing
// Methods of services that supply no permission table need only a known caller.
inline constexpr std::string_view kPermAuthenticated = "authenticated";

struct TlsConfig {
  std::string cert_file;       // PEM server certificate chain; empty = plaintext
  std::string key_file;        // PEM private key
  std::string client_ca_file;  // PEM CA for client certificates: mTLS when set
  bool require_client_cert = false;  // with client_ca_file: refuse handshakes without one
};

struct CallerConfig {
  std::string name;            // audit actor
  std::string token_sha256;    // hex SHA-256 of the bearer token
  std::string client_cert_cn;  // or: common name of a verified client certificate
  std::vector<std::string> roles;
};

struct RoleConfig {
  std::vector<std::string> permissions;
};

struct AuthConfig {
  TlsConfig tls;
  std::string callers_file;  // YAML with `callers:`; loaded at start, kept outside the repo
  std::vector<CallerConfig> callers;       // inline callers (tests); merged with the file's
  std::map<std::string, RoleConfig> roles;  // replaces the default of the roles it names

  bool tls_enabled() const { return !tls.cert_file.empty(); }
};

void BindConfig(config::Binder& b, TlsConfig& c);
void BindConfig(config::Binder& b, CallerConfig& c);
void BindConfig(config::Binder& b, RoleConfig& c);
void BindConfig(config::Binder& b, AuthConfig& c);

// The built-in roles: connector, agent, supervisor, analyst, admin.
std::map<std::string, RoleConfig> DefaultRoles();

// Method name (e.g. "GetFeedback") → permission, supplied by each service.
// Methods missing from a supplied table need kPermAll (fail closed).
using PermissionTable = std::map<std::string, std::string>;

// Lowercase hex SHA-256 of `text` (for token_sha256).
std::string Sha256Hex(std::string_view text);

// A known caller as handlers see it.
struct Caller {
  std::string name;
  std::vector<std::string> roles;
  std::set<std::string> permissions;

  bool Has(std::string_view permission) const {
    return permissions.count(std::string(kPermAll)) > 0 || permissions.count(std::string(permission)) > 0;
  }
};

// Decides who calls and whether they may. Pure: no gRPC types, unit-tested.
class Authorizer {
 public:
  // Reads callers_file if set; INVALID_ARGUMENT names a bad caller or role.
  [[nodiscard]] static absl::StatusOr<std::shared_ptr<Authorizer>> Create(const AuthConfig& config);

  bool enforcing() const { return !by_token_.empty() || !by_cn_.empty(); }

  // Registers `table` for service `service_full_name` ("pkg.Service").
  void AddService(const std::string& service_full_name, PermissionTable table);

  // The permission `method_path` ("/pkg.Service/Method") needs; empty = open.
  std::string RequiredPermission(std::string_view method_path) const;

  // UNAUTHENTICATED: no or unknown credentials. PERMISSION_DENIED: known
  // caller without the permission. `bearer_token` is the token after
  // "Bearer "; `cert_cn` the verified client certificate's common name.
  [[nodiscard]] absl::StatusOr<Caller> Authorize(std::string_view method_path,
                                                 std::string_view bearer_token,
                                                 std::string_view cert_cn) const;

 private:
  Authorizer() = default;
  Caller Resolve(const CallerConfig& c) const;

  std::map<std::string, RoleConfig> roles_;
  std::map<std::string, Caller> by_token_;  // by token sha256
  std::map<std::string, Caller> by_cn_;
  std::map<std::string, PermissionTable> services_;
};

// Server credentials for `tls` (insecure when TLS is off). Reads the files.
[[nodiscard]] absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsConfig& tls);

// The gRPC hook running `authorizer` on every call (needs TLS credentials).
std::shared_ptr<grpc::AuthMetadataProcessor> MakeAuthProcessor(std::shared_ptr<const Authorizer> authorizer);

// The authorised caller of this call; nullopt when auth is off.
std::optional<Caller> CallerOf(const grpc::ServerContext& context);

}  // namespace fbl::runtime
