#include "libs/kafka/producer.h"

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "libs/kafka/rdkafka_util.h"

namespace fbl::kafka {

using internal::ClientContext;
using internal::ErrorToStatus;
using internal::Handle;

struct Producer::Impl {
  ProducerConfig config;
  ClientContext context;
  Handle<rd_kafka_t> rk;
  std::thread poller;
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable delivered_cv;  // signalled on every delivery report

  static void OnDelivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* m, void* opaque) {
    auto* context = static_cast<ClientContext*>(opaque);
    auto* impl = static_cast<Impl*>(context->owner);
    std::unique_ptr<DeliveryCallback> callback(static_cast<DeliveryCallback*>(m->_private));
    DeliveryResult result;
    const char* topic = m->rkt != nullptr ? rd_kafka_topic_name(m->rkt) : "";
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      result.partition = m->partition;
      result.offset = m->offset;
      if (context->observer != nullptr) context->observer->OnDelivered(topic);
    } else {
      result.status = ErrorToStatus(m->err, absl::StrCat("delivery to ", topic));
      if (context->observer != nullptr) {
        context->observer->OnDeliveryFailed(topic, rd_kafka_err2name(m->err));
      }
    }
    if (callback && *callback) (*callback)(result);
    impl->delivered_cv.notify_all();
  }
};

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(const ProducerConfig& config,
                                                           Observer* observer) {
  std::map<std::string, std::string> props = {
      {"bootstrap.servers", config.brokers},
      {"client.id", config.client_id},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"socket.nagle.disable", "true"},
      {"linger.ms", std::to_string(absl::ToInt64Milliseconds(config.linger))},
      {"queue.buffering.max.messages", std::to_string(config.queue_max_messages)},
      {"queue.buffering.max.kbytes", std::to_string(config.queue_max_kbytes)},
      {"message.timeout.ms", std::to_string(absl::ToInt64Milliseconds(config.message_timeout))},
      {"message.max.bytes", std::to_string(config.max_message_bytes)},
  };
  auto conf = internal::MakeConf(props, config.extra);
  if (!conf.ok()) return conf.status();

  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->context = ClientContext{observer, impl.get()};
  internal::InstallContext(conf->get(), &impl->context);
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &Impl::OnDelivery);

  auto rk = internal::NewClient(RD_KAFKA_PRODUCER, std::move(*conf), "kafka producer");
  if (!rk.ok()) return rk.status();
  impl->rk = std::move(*rk);
  Impl* raw = impl.get();
  impl->poller = std::thread([raw] {
    while (!raw->stopping.load(std::memory_order_relaxed)) rd_kafka_poll(raw->rk.get(), 100);
  });
  return std::unique_ptr<Producer>(new Producer(std::move(impl)));
}

Producer::~Producer() {
  if (!impl_) return;
  (void)Flush(absl::Seconds(10));
  impl_->stopping = true;
  impl_->poller.join();
  // What is left is purged; its callbacks report the failure.
  rd_kafka_purge(impl_->rk.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  for (int i = 0; i < 100 && rd_kafka_outq_len(impl_->rk.get()) > 0; ++i) {
    rd_kafka_poll(impl_->rk.get(), 50);
  }
  impl_->rk.reset();
}

absl::Status Producer::Produce(OutgoingMessage message, DeliveryCallback on_delivery) {
  auto callback = std::make_unique<DeliveryCallback>(std::move(on_delivery));
  const absl::Time deadline = absl::Now() + impl_->config.enqueue_timeout;
  while (true) {
    rd_kafka_headers_t* headers = nullptr;
    if (!message.headers.empty()) {
      headers = rd_kafka_headers_new(message.headers.size());
      for (const auto& h : message.headers) {
        rd_kafka_header_add(headers, h.key.data(), static_cast<ssize_t>(h.key.size()),
                            h.value.data(), static_cast<ssize_t>(h.value.size()));
      }
    }
    rd_kafka_resp_err_t err = rd_kafka_producev(
        impl_->rk.get(), RD_KAFKA_V_TOPIC(message.topic.c_str()),
        RD_KAFKA_V_KEY(message.key.data(), message.key.size()),
        RD_KAFKA_V_VALUE(message.value.data(), message.value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers),
        RD_KAFKA_V_OPAQUE(callback.get()), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      callback.release();  // freed in OnDelivery
      return absl::OkStatus();
    }
    if (headers != nullptr) rd_kafka_headers_destroy(headers);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      return ErrorToStatus(err, absl::StrCat("produce to ", message.topic));
    }
    if (impl_->context.observer != nullptr) impl_->context.observer->OnQueueFull(message.topic);
    if (absl::Now() >= deadline) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "produce to ", message.topic, ": local queue full for ",
          absl::FormatDuration(impl_->config.enqueue_timeout), " (broker slow or down)"));
    }
    std::unique_lock lock(impl_->mu);
    impl_->delivered_cv.wait_for(lock, std::chrono::milliseconds(5));
  }
}

absl::StatusOr<DeliveryResult> Producer::ProduceSync(OutgoingMessage message) {
  auto promise = std::make_shared<std::promise<DeliveryResult>>();
  auto future = promise->get_future();
  absl::Status status = Produce(std::move(message),
                                [promise](const DeliveryResult& r) { promise->set_value(r); });
  if (!status.ok()) return status;
  DeliveryResult result = future.get();  // bounded by message.timeout.ms
  if (!result.status.ok()) return result.status;
  return result;
}

absl::Status Producer::Flush(absl::Duration timeout) {
  rd_kafka_resp_err_t err =
      rd_kafka_flush(impl_->rk.get(), static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return ErrorToStatus(err, absl::StrCat("flush (", InFlight(), " messages left)"));
  }
  return absl::OkStatus();
}

int Producer::InFlight() const { return rd_kafka_outq_len(impl_->rk.get()); }

}  // namespace fbl::kafka
