#include "libs/kafka/rdkafka_util.h"

#include "absl/strings/str_cat.h"

namespace fbl::kafka::internal {

absl::Status ErrorToStatus(rd_kafka_resp_err_t err, const std::string& context) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  std::string msg = absl::StrCat(context, ": ", rd_kafka_err2name(err), " (", rd_kafka_err2str(err), ")");
  switch (err) {
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
      return absl::ResourceExhaustedError(msg);
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
      return absl::DeadlineExceededError(msg);
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
      return absl::UnavailableError(msg);
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
      return absl::NotFoundError(msg);
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return absl::InvalidArgumentError(msg);
    case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
    case RD_KAFKA_RESP_ERR__STATE:
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
      return absl::AbortedError(msg);
    default:
      return absl::InternalError(msg);
  }
}

absl::StatusOr<Handle<rd_kafka_conf_t>> MakeConf(const std::map<std::string, std::string>& props,
                                                 const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> all = props;
  for (const auto& [k, v] : extra) all[k] = v;
  Handle<rd_kafka_conf_t> conf(rd_kafka_conf_new());
  char errstr[512];
  for (const auto& [key, value] : all) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat("kafka property '", key, "': ", errstr));
    }
  }
  return conf;
}

absl::StatusOr<Handle<rd_kafka_t>> NewClient(rd_kafka_type_t type, Handle<rd_kafka_conf_t> conf,
                                             const std::string& what) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof(errstr));
  if (rk == nullptr) return absl::InvalidArgumentError(absl::StrCat(what, ": ", errstr));
  conf.release();  // owned by rk now
  return Handle<rd_kafka_t>(rk);
}

namespace {

void LogCallback(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  auto* context = static_cast<ClientContext*>(rd_kafka_opaque(rk));
  if (context != nullptr && context->observer != nullptr) context->observer->OnClientLog(level, absl::StrCat(fac, ": ", buf));
}

void ErrorCallback(rd_kafka_t* /*rk*/, int err, const char* reason, void* opaque) {
  auto* context = static_cast<ClientContext*>(opaque);
  if (context == nullptr || context->observer == nullptr) return;
  context->observer->OnClientLog(3, absl::StrCat(rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)),
                                        ": ", reason));
}

}  // namespace

void InstallContext(rd_kafka_conf_t* conf, ClientContext* context) {
  rd_kafka_conf_set_opaque(conf, context);
  if (context->observer != nullptr) {
    rd_kafka_conf_set_log_cb(conf, LogCallback);
    rd_kafka_conf_set_error_cb(conf, ErrorCallback);
  }
}

}  // namespace fbl::kafka::internal
