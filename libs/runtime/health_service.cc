#include "libs/runtime/health_service.h"

#include <chrono>

namespace fbl::runtime {

using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;

void HealthService::SetStatus(const std::string& service, bool serving) {
  {
    std::lock_guard lock(mu_);
    serving_[service] = serving;
  }
  changed_.notify_all();
}

void HealthService::Shutdown() {
  {
    std::lock_guard lock(mu_);
    shutdown_ = true;
    for (auto& [name, serving] : serving_) serving = false;
  }
  changed_.notify_all();
}

grpc::Status HealthService::Check(grpc::ServerContext*, const HealthCheckRequest* request,
                                  HealthCheckResponse* response) {
  std::lock_guard lock(mu_);
  auto it = serving_.find(request->service());
  if (it == serving_.end()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service");
  response->set_status(it->second ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING);
  return grpc::Status::OK;
}

grpc::Status HealthService::Watch(grpc::ServerContext* context, const HealthCheckRequest* request,
                                  grpc::ServerWriter<HealthCheckResponse>* writer) {
  std::unique_lock lock(mu_);
  int last = -1;
  while (!context->IsCancelled()) {
    auto it = serving_.find(request->service());
    const int now = it == serving_.end() ? HealthCheckResponse::SERVICE_UNKNOWN
                                         : (it->second ? HealthCheckResponse::SERVING
                                                       : HealthCheckResponse::NOT_SERVING);
    if (now != last) {
      HealthCheckResponse response;
      response.set_status(static_cast<HealthCheckResponse::ServingStatus>(now));
      lock.unlock();
      if (!writer->Write(response)) return grpc::Status::OK;
      lock.lock();
      last = now;
    }
    if (shutdown_) break;
    changed_.wait_for(lock, std::chrono::seconds(1));
  }
  return grpc::Status::OK;
}

}  // namespace fbl::runtime
