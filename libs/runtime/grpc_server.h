#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/health_service.h"

namespace grpc {
class Server;
class Service;
}  // namespace grpc

namespace fbl::runtime {

// A service and its full protobuf name (Service::service_full_name()), which
// names its health status.
struct NamedService {
  std::string name;
  grpc::Service* service;
  // Method → permission; empty: any authenticated caller (see auth.h).
  PermissionTable permissions = {};
};

// A gRPC server with the standard grpc.health.v1 service and server
// reflection on the given address: plaintext, or TLS/mTLS with per-caller
// roles when `auth` configures them (auth.h).
class GrpcServer {
 public:
  // `services` must outlive the server. Port 0 picks a free one.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const std::string& listen, const std::vector<NamedService>& services,
      const AuthConfig& auth = {});
  ~GrpcServer();

  int port() const { return port_; }

  // Health of the whole server and of each registered service.
  void SetServing(bool serving);

  // Stops accepting calls; in-flight ones get `grace` to finish.
  void Shutdown(absl::Duration grace);

 private:
  GrpcServer() = default;
  HealthService health_;
  std::unique_ptr<grpc::Server> server_;
  std::vector<std::string> service_names_;
  int port_ = 0;
};

}  // namespace fbl::runtime
