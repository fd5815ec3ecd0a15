#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "libs/runtime/common_config.h"
#include "libs/runtime/consumer_worker.h"
#include "libs/runtime/grpc_server.h"
#include "libs/runtime/metrics.h"
#include "libs/runtime/signals.h"

namespace prometheus {
class Registry;
}

namespace fbl::runtime {

// What every service main() wires: logging, signals, /metrics, gRPC with
// health and reflection. Typical use:
//   auto rt = Runtime::Create("intake", cfg.server);   // first: blocks signals
//   ... build adapters and the service with rt->registry() ...
//   rt->ServeGrpc({&service});
//   rt->signals().Wait();  return rt->Drain({...});
class Runtime {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Runtime>> Create(const std::string& service,
                                                                        const ServerConfig& config);
  ~Runtime();

  prometheus::Registry& registry() { return *registry_; }
  Signals& signals() { return *signals_; }
  int metrics_port() const { return metrics_->port(); }
  int grpc_port() const { return grpc_ ? grpc_->port() : 0; }

  // Starts gRPC (plus health and reflection), marks it serving, writes the
  // ready file if configured and logs the ports.
  [[nodiscard]] absl::Status ServeGrpc(const std::vector<NamedService>& services);

  // Health NOT_SERVING, then gRPC stops within the drain timeout.
  void Shutdown();

  // What a service stops after a signal, in this order (Drain).
  struct DrainPlan {
    std::vector<std::pair<std::string, ConsumerWorker*>> loops;  // (name for errors, loop)
    std::vector<std::function<void()>> background;  // joins of periodic tasks and threads
    std::vector<kafka::Consumer*> consumers;        // closed: what was processed is committed
    kafka::Producer* producer = nullptr;            // flushed for the drain timeout
  };
  // After signals().Wait(): the consumer loops finish their batch, the
  // background work stops, the consumers close, gRPC stops (Shutdown) and
  // the producer flushes what is queued. Returns the exit code: 0, or 1
  // after logging each loop that failed.
  [[nodiscard]] int Drain(const DrainPlan& plan);

 private:
  Runtime() = default;
  std::string service_;
  ServerConfig config_;
  std::unique_ptr<Signals> signals_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<MetricsServer> metrics_;
  std::unique_ptr<GrpcServer> grpc_;
};

}  // namespace fbl::runtime
