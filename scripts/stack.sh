#!/usr/bin/env bash
# Local Kafka (KRaft, single node) and Redis on loopback, for tests and the local system.
#
#   scripts/stack.sh start   [kafka|redis|all]   start and wait until really ready
#   scripts/stack.sh stop    [kafka|redis|all]   clean shutdown (SIGTERM / SHUTDOWN)
#   scripts/stack.sh restart [kafka|redis|all]
#   scripts/stack.sh status                      exit 0 only if everything is up
#   scripts/stack.sh env                         print the settings as shell exports
#
# Settings (environment):
#   FBL_STACK_DIR             data, logs and pid files   (default: <repo>/.stack)
#   FBL_KAFKA_PORT            broker listener            (default: 19092)
#   FBL_KAFKA_CONTROLLER_PORT KRaft controller listener  (default: 19093)
#   FBL_REDIS_PORT            redis                      (default: 16379)
#   FBL_REDIS_PERSIST         yes: AOF on (default), no: in memory only
#   FBL_KAFKA_HEAP            JVM heap (default: 512m)
#   FBL_TOPIC_PARTITIONS      override partitions of every project topic
#   FBL_TOPICS_FILE           topic list (default: deploy/topics.yaml)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

STACK_DIR="${FBL_STACK_DIR:-$FBL_ROOT/.stack}"
KAFKA_PORT="${FBL_KAFKA_PORT:-19092}"
CONTROLLER_PORT="${FBL_KAFKA_CONTROLLER_PORT:-19093}"
REDIS_PORT="${FBL_REDIS_PORT:-16379}"
REDIS_PERSIST="${FBL_REDIS_PERSIST:-yes}"
KAFKA_HEAP="${FBL_KAFKA_HEAP:-512m}"
TOPICS_FILE="${FBL_TOPICS_FILE:-$FBL_ROOT/deploy/topics.yaml}"
KAFKA_LIBS="$FBL_CACHE/kafka-$KAFKA_VERSION/libs"
ADMIN="$FBL_BUILD_DIR/tools/admin/fbl-admin"
BROKERS="127.0.0.1:$KAFKA_PORT"

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Refuses to start on a port some other process (another stack?) listens on.
require_free_port() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    die "$2: port $1 is already in use by another process (another stack? set FBL_STACK_DIR or $3)"
  fi
}

ensure_admin() {
  [[ -x "$ADMIN" ]] && return
  log "building fbl-admin (needed for topic creation and readiness checks)"
  "$FBL_ROOT/scripts/build.sh" --target fbl-admin >&2
}

# ---- redis ---------------------------------------------------------------
redis_start() {
  local dir="$STACK_DIR/redis" pidf="$STACK_DIR/redis/redis.pid"
  mkdir -p "$dir"
  if pid_alive "$pidf"; then
    log "redis: already running (pid $(cat "$pidf"), port $REDIS_PORT)"
  else
    require_free_port "$REDIS_PORT" redis FBL_REDIS_PORT
    local persist=(--appendonly no --save "")
    [[ "$REDIS_PERSIST" == yes ]] && persist=(--appendonly yes --appendfsync everysec --save "")
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$dir" \
      --daemonize yes --pidfile "$pidf" --logfile "$dir/redis.log" \
      --protected-mode yes "${persist[@]}"
  fi
  local deadline=$((SECONDS + 30))
  until [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; do
    ((SECONDS < deadline)) || die "redis: no PONG on port $REDIS_PORT within 30s; see $dir/redis.log"
    sleep 0.1
  done
  log "redis: ready on 127.0.0.1:$REDIS_PORT (persistence: $REDIS_PERSIST)"
}

redis_stop() {
  local pidf="$STACK_DIR/redis/redis.pid"
  if ! pid_alive "$pidf"; then log "redis: not running"; return; fi
  local pid; pid=$(cat "$pidf")
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  wait_exit "$pid" redis 20
}

# ---- kafka ---------------------------------------------------------------
kafka_config() {
  local dir="$STACK_DIR/kafka"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
auto.create.topics.enable=false
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=2000
log.retention.check.interval.ms=60000
PROPS
  cat > "$dir/log4j.properties" <<PROPS
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$dir/server.log
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.state.change.logger=WARN
PROPS
}

kafka_java() {
  KAFKA_JAVA=(java -Xms"$KAFKA_HEAP" -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20
    -Djava.awt.headless=true -Dlog4j.configuration="file:$STACK_DIR/kafka/log4j.properties"
    -cp "$KAFKA_LIBS/*")
}

kafka_start() {
  local dir="$STACK_DIR/kafka" pidf="$STACK_DIR/kafka/kafka.pid"
  [[ -f "$KAFKA_LIBS/.complete" ]] || "$FBL_ROOT/scripts/deps.sh" --kafka
  ensure_admin
  mkdir -p "$dir/data"
  if pid_alive "$pidf"; then
    log "kafka: already running (pid $(cat "$pidf"), port $KAFKA_PORT)"
  else
    require_free_port "$KAFKA_PORT" kafka FBL_KAFKA_PORT
    require_free_port "$CONTROLLER_PORT" kafka FBL_KAFKA_CONTROLLER_PORT
    kafka_config
    kafka_java
    if [[ ! -f "$dir/data/meta.properties" ]]; then
      local cluster_id
      cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
      "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format --cluster-id="$cluster_id" --config "$dir/server.properties" \
        >"$dir/format.log" 2>&1 || die "kafka: storage format failed; see $dir/format.log"
    fi
    nohup "${KAFKA_JAVA[@]}" kafka.Kafka "$dir/server.properties" >"$dir/stdout.log" 2>&1 &
    echo $! >"$pidf"
  fi
  # Ready means a real produce/consume round trip, then the project's topics exist.
  "$ADMIN" ready --brokers "$BROKERS" --timeout 90s \
    || die "kafka: not ready on $BROKERS; see $dir/server.log"
  local args=(topics ensure --brokers "$BROKERS" --file "$TOPICS_FILE")
  [[ -n "${FBL_TOPIC_PARTITIONS:-}" ]] && args+=(--partitions "$FBL_TOPIC_PARTITIONS")
  "$ADMIN" "${args[@]}" || die "kafka: topic creation failed"
  pid_alive "$pidf" || die "kafka: exited during start; see $dir/server.log"
  log "kafka: ready on $BROKERS (pid $(cat "$pidf"))"
}

kafka_stop() {
  local pidf="$STACK_DIR/kafka/kafka.pid"
  if ! pid_alive "$pidf"; then log "kafka: not running"; return; fi
  local pid; pid=$(cat "$pidf")
  kill -TERM "$pid" 2>/dev/null || true
  wait_exit "$pid" kafka 60
}

wait_exit() {
  local pid=$1 name=$2 limit=$3 deadline=$((SECONDS + $3))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "$name: still running after ${limit}s, killing pid $pid"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  log "$name: stopped"
}

status() {
  local rc=0
  if pid_alive "$STACK_DIR/redis/redis.pid" &&
     [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; then
    echo "redis  up    127.0.0.1:$REDIS_PORT  pid $(cat "$STACK_DIR/redis/redis.pid")"
  else
    echo "redis  down  127.0.0.1:$REDIS_PORT"; rc=1
  fi
  if pid_alive "$STACK_DIR/kafka/kafka.pid" && [[ -x "$ADMIN" ]] &&
     "$ADMIN" ready --brokers "$BROKERS" --timeout 5s >/dev/null 2>&1; then
    echo "kafka  up    $BROKERS  pid $(cat "$STACK_DIR/kafka/kafka.pid")"
  else
    echo "kafka  down  $BROKERS"; rc=1
  fi
  echo "logs   $STACK_DIR/{kafka/server.log,redis/redis.log}"
  return $rc
}

print_env() {
  cat <<ENV
export FBL_STACK_DIR='$STACK_DIR'
export FBL_KAFKA_PORT=$KAFKA_PORT
export FBL_KAFKA_CONTROLLER_PORT=$CONTROLLER_PORT
export FBL_REDIS_PORT=$REDIS_PORT
export FBL_KAFKA_BROKERS=$BROKERS
export FBL_REDIS_ADDR=127.0.0.1:$REDIS_PORT
ENV
}

cmd="${1:-}"; what="${2:-all}"
case "$what" in kafka|redis|all) ;; *) die "unknown component '$what' (kafka, redis or all)";; esac
case "$cmd" in
  start)
    [[ "$what" == kafka ]] || redis_start
    [[ "$what" == redis ]] || kafka_start ;;
  stop)
    [[ "$what" == redis ]] || kafka_stop
    [[ "$what" == kafka ]] || redis_stop ;;
  restart) "$0" stop "$what"; "$0" start "$what" ;;
  status) status ;;
  env) print_env ;;
  *) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
