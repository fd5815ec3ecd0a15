#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

#include "grpc/health/v1/health.grpc.pb.h"

namespace fbl::runtime {

// grpc.health.v1.Health with a status for the server ("") and each service.
// Used instead of gRPC's built-in health service so that reflection (and so
// grpcurl) can describe it.
class HealthService final : public ::grpc::health::v1::Health::Service {
 public:
  void SetStatus(const std::string& service, bool serving);
  // Wakes every Watch so it can end (server shutdown).
  void Shutdown();

  grpc::Status Check(grpc::ServerContext* context, const ::grpc::health::v1::HealthCheckRequest* request,
                     ::grpc::health::v1::HealthCheckResponse* response) override;
  grpc::Status Watch(grpc::ServerContext* context, const ::grpc::health::v1::HealthCheckRequest* request,
                     grpc::ServerWriter<::grpc::health::v1::HealthCheckResponse>* writer) override;

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, bool> serving_;
  bool shutdown_ = false;
};

}  // namespace fbl::runtime
