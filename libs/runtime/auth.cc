#include "libs/runtime/auth.h"

#include <fstream>
#include <sstream>

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/auth_metadata_processor.h>
#include <grpcpp/security/server_credentials.h>
#include <openssl/sha.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace fbl::runtime {
namespace {

constexpr char kCallerProperty[] = "fbl.caller";
constexpr char kRoleProperty[] = "fbl.role";
constexpr char kPermissionProperty[] = "fbl.permission";
constexpr char kCertCnProperty[] = "x509_common_name";

// Always open: probes and tooling must work without credentials.
constexpr std::string_view kOpenPrefixes[] = {"/grpc.health.v1.Health/", "/grpc.reflection."};

struct CallersFile {
  std::vector<CallerConfig> callers;
};

void BindConfig(config::Binder& b, CallersFile& c) { b.Field("callers", c.callers); }

bool IsHexSha256(std::string_view s) {
  if (s.size() != 64) return false;
  for (char ch : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(ch))) return false;
  }
  return true;
}

absl::StatusOr<std::string> ReadFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("auth: cannot read ", std::string(what), " ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Processor final : public grpc::AuthMetadataProcessor {
 public:
  explicit Processor(std::shared_ptr<const Authorizer> authorizer) : authorizer_(std::move(authorizer)) {}

  bool IsBlocking() const override { return false; }

  grpc::Status Process(const InputMetadata& metadata, grpc::AuthContext* context, OutputMetadata* consumed,
                       OutputMetadata*) override {
    std::string path;
    std::string token;
    bool has_authorization = false;
    for (const auto& [key, value] : metadata) {
      const std::string_view k(key.data(), key.size());
      if (k == ":path") path.assign(value.data(), value.size());
      if (k == "authorization") {
        has_authorization = true;
        const std::string_view v(value.data(), value.size());
        if (v.size() > 7 && absl::AsciiStrToLower(std::string(v.substr(0, 7))) == "bearer ") {
          token = std::string(v.substr(7));
          absl::StripAsciiWhitespace(&token);
        }
      }
    }
    if (path.empty()) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "auth: no method path");
    std::string cn;
    if (context != nullptr) {
      for (const auto& v : context->FindPropertyValues(kCertCnProperty)) cn.assign(v.data(), v.size());
    }
    auto caller = authorizer_->Authorize(path, token, cn);
    if (!caller.ok()) {
      return grpc::Status(static_cast<grpc::StatusCode>(caller.status().code()),
                          std::string(caller.status().message()));
    }
    if (has_authorization) consumed->insert({"authorization", ""});
    if (context != nullptr && !caller->name.empty()) {
      context->AddProperty(kCallerProperty, caller->name);
      for (const auto& r : caller->roles) context->AddProperty(kRoleProperty, r);
      for (const auto& p : caller->permissions) context->AddProperty(kPermissionProperty, p);
    }
    return grpc::Status::OK;
  }

 private:
  std::shared_ptr<const Authorizer> authorizer_;
};

}  // namespace

void BindConfig(config::Binder& b, TlsConfig& c) {
  b.Field("cert_file", c.cert_file);
  b.Field("key_file", c.key_file);
  b.Field("client_ca_file", c.client_ca_file);
  b.Field("require_client_cert", c.require_client_cert);
  if (!c.cert_file.empty() && c.key_file.empty()) b.Fail("key_file", "is required with cert_file");
  if (c.cert_file.empty() && (!c.key_file.empty() || !c.client_ca_file.empty())) {
    b.Fail("cert_file", "is required with key_file or client_ca_file");
  }
  if (c.require_client_cert && c.client_ca_file.empty()) {
    b.Fail("require_client_cert", "needs client_ca_file");
  }
}

void BindConfig(config::Binder& b, CallerConfig& c) {
  b.Required("name", c.name);
  b.Field("token_sha256", c.token_sha256);
  b.Field("client_cert_cn", c.client_cert_cn);
  b.Field("roles", c.roles);
  c.token_sha256 = absl::AsciiStrToLower(c.token_sha256);
  if (c.token_sha256.empty() == c.client_cert_cn.empty()) {
    b.Fail("token_sha256", "exactly one of token_sha256 or client_cert_cn is required");
  } else if (!c.token_sha256.empty() && !IsHexSha256(c.token_sha256)) {
    b.Fail("token_sha256", "must be 64 hex digits (sha256 of the token, never the token)");
  }
}

void BindConfig(config::Binder& b, RoleConfig& c) {
  b.Field("permissions", c.permissions);
  config::FailBlankEntries(b, "permissions", c.permissions);
}

void BindConfig(config::Binder& b, AuthConfig& c) {
  b.Field("tls", c.tls);
  b.Field("callers_file", c.callers_file);
  b.Field("callers", c.callers);
  b.Field("roles", c.roles);
  if ((!c.callers.empty() || !c.callers_file.empty()) && !c.tls_enabled()) {
    b.Fail("callers", "needs tls.cert_file (bearer tokens never travel in plaintext)");
  }
}

std::map<std::string, RoleConfig> DefaultRoles() {
  const std::string submit(kPermFeedbackSubmit), read(kPermFeedbackRead), pii(kPermPiiRead),
      tread(kPermTicketRead), twrite(kPermTicketWrite), tadmin(kPermTicketAdmin), aread(kPermAlertRead),
      awrite(kPermAlertWrite), analytics(kPermAnalyticsRead), tags(kPermTagsWrite);
  return {
      {"connector", {{submit}}},
      {"agent", {{read, tread, twrite, aread, awrite, tags}}},
      {"analyst", {{read, tread, aread, analytics}}},
      {"supervisor", {{submit, read, pii, tread, twrite, tadmin, aread, awrite, analytics, tags}}},
      {"admin", {{std::string(kPermAll)}}},
  };
}

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char ch : digest) {
    out.push_back(kHex[ch >> 4]);
    out.push_back(kHex[ch & 0xf]);
  }
  return out;
}

absl::StatusOr<std::shared_ptr<Authorizer>> Authorizer::Create(const AuthConfig& config) {
  std::shared_ptr<Authorizer> a(new Authorizer());
  a->roles_ = DefaultRoles();
  for (const auto& [name, role] : config.roles) a->roles_[name] = role;
  std::vector<CallerConfig> callers = config.callers;
  if (!config.callers_file.empty()) {
    auto file = config::LoadFile<CallersFile>(config.callers_file);
    if (!file.ok()) return file.status();
    callers.insert(callers.end(), file->callers.begin(), file->callers.end());
  }
  for (const CallerConfig& c : callers) {
    for (const auto& r : c.roles) {
      if (a->roles_.count(r) == 0) {
        return absl::InvalidArgumentError(absl::StrCat("auth: caller '", c.name, "' has unknown role '", r, "'"));
      }
    }
    Caller resolved = a->Resolve(c);
    auto& index = c.token_sha256.empty() ? a->by_cn_ : a->by_token_;
    const std::string& key = c.token_sha256.empty() ? c.client_cert_cn : c.token_sha256;
    if (!index.emplace(key, std::move(resolved)).second) {
      return absl::InvalidArgumentError(absl::StrCat("auth: caller '", c.name, "' repeats another caller's credential"));
    }
  }
  return a;
}

Caller Authorizer::Resolve(const CallerConfig& c) const {
  Caller out{c.name, c.roles, {}};
  for (const auto& r : c.roles) {
    for (const auto& p : roles_.at(r).permissions) out.permissions.insert(p);
  }
  return out;
}

void Authorizer::AddService(const std::string& service_full_name, PermissionTable table) {
  services_[service_full_name] = std::move(table);
}

std::string Authorizer::RequiredPermission(std::string_view method_path) const {
  for (std::string_view open : kOpenPrefixes) {
    if (method_path.starts_with(open)) return "";
  }
  std::string_view rest = method_path;
  if (rest.starts_with("/")) rest.remove_prefix(1);
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::string(kPermAll);
  auto it = services_.find(std::string(rest.substr(0, slash)));
  if (it == services_.end()) return std::string(kPermAuthenticated);
  auto m = it->second.find(std::string(rest.substr(slash + 1)));
  return m == it->second.end() ? std::string(kPermAll) : m->second;
}

absl::StatusOr<Caller> Authorizer::Authorize(std::string_view method_path, std::string_view bearer_token,
                                             std::string_view cert_cn) const {
  const std::string needed = RequiredPermission(method_path);
  if (needed.empty() || !enforcing()) return Caller{};
  const Caller* caller = nullptr;
  if (!bearer_token.empty()) {
    auto it = by_token_.find(Sha256Hex(bearer_token));
    if (it == by_token_.end()) return absl::UnauthenticatedError("auth: unknown bearer token");
    caller = &it->second;
  } else if (!cert_cn.empty()) {
    auto it = by_cn_.find(std::string(cert_cn));
    if (it == by_cn_.end()) {
      return absl::UnauthenticatedError(absl::StrCat("auth: client certificate '", std::string(cert_cn), "' is not a known caller"));
    }
    caller = &it->second;
  } else {
    return absl::UnauthenticatedError("auth: credentials required (authorization: Bearer <token> or a client certificate)");
  }
  if (needed != kPermAuthenticated && !caller->Has(needed)) {
    return absl::PermissionDeniedError(absl::StrCat("auth: caller '", caller->name, "' (roles: ",
                                                    caller->roles.empty() ? "none" : absl::StrJoin(caller->roles, ","),
                                                    ") lacks permission '", needed, "' for ", std::string(method_path)));
  }
  return *caller;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(const TlsConfig& tls) {
  if (tls.cert_file.empty()) return grpc::InsecureServerCredentials();
  auto cert = ReadFile(tls.cert_file, "tls.cert_file");
  if (!cert.ok()) return cert.status();
  auto key = ReadFile(tls.key_file, "tls.key_file");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({*key, *cert});
  if (!tls.client_ca_file.empty()) {
    auto ca = ReadFile(tls.client_ca_file, "tls.client_ca_file");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
    options.client_certificate_request = tls.require_client_cert
                                             ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                             : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

std::shared_ptr<grpc::AuthMetadataProcessor> MakeAuthProcessor(std::shared_ptr<const Authorizer> authorizer) {
  return std::make_shared<Processor>(std::move(authorizer));
}

std::optional<Caller> CallerOf(const grpc::ServerContext& context) {
  auto auth = context.auth_context();
  if (!auth) return std::nullopt;
  auto names = auth->FindPropertyValues(kCallerProperty);
  if (names.empty()) return std::nullopt;
  Caller c;
  c.name.assign(names.front().data(), names.front().size());
  for (const auto& r : auth->FindPropertyValues(kRoleProperty)) c.roles.emplace_back(r.data(), r.size());
  for (const auto& p : auth->FindPropertyValues(kPermissionProperty)) c.permissions.emplace(p.data(), p.size());
  return c;
}

}  // namespace fbl::runtime
