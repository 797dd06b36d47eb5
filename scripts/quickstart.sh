#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# One command from a fresh clone to a running single-broker cluster on this machine: installs
# the dependencies, builds samsa-broker, then has samsa-cluster.sh start ZooKeeper
# (127.0.0.1:2181) and one broker (127.0.0.1:9092) as daemons and wait until the broker is
# registered, and shows how to use it with kcat. Everything it creates lives under <repo>/var;
# `quickstart.sh stop` stops exactly the processes it started (from their pid files). Running it
# again while the cluster is up starts nothing new.
# With --secure the broker's listeners are SASL_SSL only (TLS with a CA made in var/tls, SCRAM and
# PLAIN against credentials in ZooKeeper) and the ACL authorizer is on, with one super user,
# admin, whose client settings it writes for kcat and for the samsa-*.sh tools.
set -euo pipefail
PROG=quickstart
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
var=$root/var
# shellcheck source=lib/common.sh
source "$root/scripts/lib/common.sh"

ZK_HOST=127.0.0.1 ZK_PORT=${QUICKSTART_ZK_PORT:-2181}
BROKER_HOST=127.0.0.1 BROKER_PORT=${QUICKSTART_BROKER_PORT:-9092}
build=$root/build
cluster=$root/scripts/samsa-cluster.sh
secure=0

usage() {
    cat <<USAGE
USAGE: $0 [start|stop|status] [--secure] [--skip-deps]
  start (default)  install dependencies (scripts/install-deps.sh), build samsa-broker into
                   build/, start ZooKeeper on $ZK_HOST:$ZK_PORT and a broker on
                   $BROKER_HOST:$BROKER_PORT, wait until the broker is registered
  stop             stop the broker and ZooKeeper started by 'start' (and nothing else)
  status           show whether they are running, and the broker and partitions as
                   ZooKeeper sees them
  --secure         start: SASL_SSL listeners only, ACLs on, and a super user 'admin' whose
                   password (random, made once) is in var/tls/admin.properties (samsa-*.sh
                   --command-config) and var/tls/kcat.conf (kcat -F)
  --skip-deps      do not run scripts/install-deps.sh
  -h, --help       show this help
Environment: QUICKSTART_ZK_PORT, QUICKSTART_BROKER_PORT choose other ports (start only:
stop and status find them in var/cluster.env).
Files: ZooKeeper data in var/zookeeper-1, broker logs in var/samsa-logs-1, configuration in
var/*.properties, daemon output and pid files in var/logs. A cluster of several brokers:
scripts/samsa-cluster.sh.
USAGE
}

# --- start --------------------------------------------------------------------------------

build_broker() {
    note "building samsa-broker into $build"
    cmake_configure "$build" RelWithDebInfo >/dev/null
    cmake --build "$build" --target samsa-broker samsa-admin -j"$(nproc)"
    export SAMSA_BROKER_BIN=$build/broker/samsa-broker SAMSA_ADMIN_BIN=$build/tools/admin/samsa-admin
}

print_howto_secure() {
    local b=$BROKER_HOST:$BROKER_PORT
    cat <<HOWTO

Samsa is running, secured (SASL_SSL, ACLs on):
  ZooKeeper  $ZK_HOST:$ZK_PORT   data in var/zookeeper-1, output in var/logs/zookeeper-1/
  Broker     $b   SASL_SSL only; logs in var/samsa-logs-1, output in var/logs/broker-1/
  admin      super user; its settings: var/tls/kcat.conf (kcat) and var/tls/admin.properties
             (samsa-*.sh --command-config); the CA that signed the broker: var/tls/ca.pem

As admin:
  kcat -F var/tls/kcat.conf -b $b -L
  echo 'hello samsa' | kcat -F var/tls/kcat.conf -b $b -P -t quickstart
  kcat -F var/tls/kcat.conf -b $b -C -t quickstart -o beginning -e
A user of your own, and what it may do:
  scripts/samsa-configs.sh --bootstrap-server $b --command-config var/tls/admin.properties \\
      --alter --entity-type users --entity-name alice --add-config 'SCRAM-SHA-512=[password=alice-secret]'
  scripts/samsa-acls.sh --bootstrap-server $b --command-config var/tls/admin.properties \\
      --add --allow-principal User:alice --operation Read --operation Write --topic quickstart
  kcat -b $b -X security.protocol=SASL_SSL -X sasl.mechanisms=SCRAM-SHA-512 \\
      -X sasl.username=alice -X sasl.password=alice-secret -X ssl.ca.location=var/tls/ca.pem -L
Stop both:
  scripts/quickstart.sh stop
HOWTO
}

print_howto() {
    local b=$BROKER_HOST:$BROKER_PORT
    cat <<HOWTO

Samsa is running:
  ZooKeeper  $ZK_HOST:$ZK_PORT   data in var/zookeeper-1, output in var/logs/zookeeper-1/
  Broker     $b   logs in var/samsa-logs-1, output in var/logs/broker-1/

Produce (one record per line; the topic is created on first use):
  echo 'hello samsa' | kcat -P -b $b -t quickstart
  kcat -P -b $b -t quickstart -K:          # key:value per line, Ctrl-D to finish
Consume from the beginning (-e exits at the end of the partition):
  kcat -C -b $b -t quickstart -o beginning -e
Show brokers, topics and partitions:
  kcat -L -b $b
Stop both:
  scripts/quickstart.sh stop
HOWTO
}

cmd_start() {
    local secure_flag=()
    if [ "$skip_deps" -eq 0 ]; then
        "$root/scripts/install-deps.sh"
    fi
    build_broker
    [ "$secure" -eq 0 ] || secure_flag=(--secure)
    "$cluster" up --dir "$var" --zk 1 --brokers 1 --base-port "$BROKER_PORT" \
        --zk-base-port "$ZK_PORT" "${secure_flag[@]}"
    if [ "$secure" -eq 1 ]; then
        print_howto_secure
    else
        print_howto
    fi
}

# --- stop / status ------------------------------------------------------------------------

# A quickstart from before samsa-cluster.sh kept one pid file per daemon in var/logs; stop
# those too, through their own stop scripts, so an upgrade leaves nothing running.
stop_old_layout() {
    local f script
    for f in samsaServer.pid:samsa-server-stop.sh zookeeper.pid:zookeeper-server-stop.sh; do
        script=${f#*:}
        [ -f "$var/logs/${f%%:*}" ] || continue
        LOG_DIR=$var/logs PID_DIR=$var/logs "$root/scripts/$script"
    done
}

cmd_stop() {
    stop_old_layout
    "$cluster" down --dir "$var"
}

cmd_status() {
    if [ ! -f "$var/cluster.env" ]; then
        note "not started (no var/cluster.env)"
        return 0
    fi
    "$cluster" status --dir "$var"
}

command=start
skip_deps=0
for arg in "$@"; do
    case "$arg" in
        start | stop | status) command=$arg ;;
        --skip-deps) skip_deps=1 ;;
        --secure) secure=1 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "$PROG: unknown argument '$arg'" >&2; usage >&2; exit 1 ;;
    esac
done
"cmd_$command"
