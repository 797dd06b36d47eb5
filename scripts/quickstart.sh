#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# One command from a fresh clone to a running single-broker cluster on this machine: installs
# the dependencies, builds samsa-broker, starts ZooKeeper (127.0.0.1:2181) and one broker
# (127.0.0.1:9092) as daemons, waits until the broker answers, and shows how to use it with kcat.
# Everything it creates lives under <repo>/var; `quickstart.sh stop` stops exactly the processes
# it started (from their pid files). Running it again while the cluster is up starts nothing new.
# With --secure the broker's only listener is SASL_SSL (TLS with a CA made in var/tls, SCRAM and
# PLAIN against credentials in ZooKeeper) and the ACL authorizer is on, with one super user,
# admin, whose client settings it writes for kcat and for the samsa-*.sh tools.
set -euo pipefail
PROG=quickstart
# The pid files and daemon output always go to <repo>/var/logs, whatever LOG_DIR says, so that
# `stop` finds what `start` started.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
var=$root/var
export LOG_DIR=$var/logs PID_DIR=$var/logs
# shellcheck source=lib/common.sh
source "$root/scripts/lib/common.sh"

ZK_HOST=127.0.0.1 ZK_PORT=${QUICKSTART_ZK_PORT:-2181}
BROKER_HOST=127.0.0.1 BROKER_PORT=${QUICKSTART_BROKER_PORT:-9092}
ZK_WAIT=30 BROKER_WAIT=60
build=$root/build
zk_config=$var/zookeeper.properties
zk_pidfile=$PID_DIR/zookeeper.pid
broker_pidfile=$PID_DIR/samsaServer.pid
tls=$var/tls
secure=0

usage() {
    cat <<USAGE
USAGE: $0 [start|stop|status] [--secure] [--skip-deps]
  start (default)  install dependencies (scripts/install-deps.sh), build samsa-broker into
                   build/, start ZooKeeper on $ZK_HOST:$ZK_PORT and a broker on
                   $BROKER_HOST:$BROKER_PORT, wait until the broker answers
  stop             stop the broker and ZooKeeper started by 'start' (and nothing else)
  status           show whether they are running
  --secure         start: a SASL_SSL listener, ACLs on, and a super user 'admin' whose password
                   (random, made once) is in var/tls/admin.properties (samsa-*.sh
                   --command-config) and var/tls/kcat.conf (kcat -F)
  --skip-deps      do not run scripts/install-deps.sh
  -h, --help       show this help
Environment: QUICKSTART_ZK_PORT, QUICKSTART_BROKER_PORT choose other ports (use the same
values for stop and status).
Files: ZooKeeper data in var/zookeeper, broker logs in var/samsa-logs, daemon output and pid
files in var/logs.
USAGE
}

# --- start --------------------------------------------------------------------------------

build_broker() {
    note "building samsa-broker into $build"
    cmake_configure "$build" RelWithDebInfo >/dev/null
    cmake --build "$build" --target samsa-broker samsa-admin -j"$(nproc)"
    export SAMSA_BROKER_BIN=$build/broker/samsa-broker SAMSA_ADMIN_BIN=$build/tools/admin/samsa-admin
}

# Fails with a clear message when host:port answers although our process is not running.
require_free_port() { # <what> <host> <port> [hint]
    port_in_use "$2" "$3" || return 0
    {
        echo "$PROG: cannot start $1: $2:$3 is already in use by a process quickstart did not start:"
        describe_port_owner "$3"
        echo "Stop that process${4:+ ($4)} or free port $3, then run $0 again."
    } >&2
    exit 1
}

# Waits until "$@" succeeds; fails if the daemon in pid file $1 dies or $2 seconds pass.
wait_until() { # <pidfile> <seconds> <what> <out-file> -- command...
    local pidfile=$1 seconds=$2 what=$3 out=$4 deadline
    shift 5
    deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if ! pid_file_process "$pidfile" >/dev/null; then
            echo "$PROG: $what exited; last lines of $out:" >&2
            tail -n 30 "$out" >&2
            exit 1
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "$PROG: $what is running but did not answer within ${seconds}s; last lines of $out:" >&2
            tail -n 30 "$out" >&2
            echo "($0 stop stops it.)" >&2
            exit 1
        fi
        sleep 0.5
    done
}

start_zookeeper() {
    local pid
    if pid=$(pid_file_process "$zk_pidfile"); then
        note "ZooKeeper already running (pid $pid)"
    else
        require_free_port ZooKeeper "$ZK_HOST" "$ZK_PORT" \
            "Debian's packaged ZooKeeper: systemctl stop zookeeper"
        mkdir -p "$var/zookeeper"
        sed -e "s|^dataDir=.*|dataDir=$var/zookeeper|" \
            -e "s|^clientPort=.*|clientPort=$ZK_PORT|" \
            -e "s|^clientPortAddress=.*|clientPortAddress=$ZK_HOST|" \
            "$root/config/zookeeper.properties" >"$zk_config"
        "$root/scripts/zookeeper-server-start.sh" -daemon "$zk_config"
    fi
    wait_until "$zk_pidfile" "$ZK_WAIT" ZooKeeper "$LOG_DIR/zookeeper.out" -- \
        zookeeper_ok "$ZK_HOST" "$ZK_PORT"
    note "ZooKeeper answers on $ZK_HOST:$ZK_PORT"
}

broker_answers() {
    if command -v kcat >/dev/null; then
        kcat "${kcat_args[@]}" -b "$BROKER_HOST:$BROKER_PORT" -L -m 5
    else
        port_in_use "$BROKER_HOST" "$BROKER_PORT"
    fi
}

start_broker() {
    local pid
    if pid=$(pid_file_process "$broker_pidfile"); then
        note "broker already running (pid $pid)"
    else
        require_free_port "the broker" "$BROKER_HOST" "$BROKER_PORT"
        mkdir -p "$var/samsa-logs"
        "$root/scripts/samsa-server-start.sh" -daemon "$root/config/server.properties" \
            --override "log.dirs=$var/samsa-logs" \
            --override "listeners=$listener_protocol://$BROKER_HOST:$BROKER_PORT" \
            --override "zookeeper.connect=$ZK_HOST:$ZK_PORT" "${secure_overrides[@]}"
    fi
    command -v kcat >/dev/null || note "kcat not found: only checking that the port accepts connections"
    wait_until "$broker_pidfile" "$BROKER_WAIT" "the broker" "$LOG_DIR/samsaServer.out" -- \
        broker_answers
    note "broker answers on $BROKER_HOST:$BROKER_PORT"
}

# --secure: TLS material, the admin user in ZooKeeper (before the broker reads it) and the
# client settings; all made once and kept in var/tls.
prepare_secure() {
    local password
    "$root/scripts/samsa-certs.sh" --dir "$tls" ca >/dev/null
    [ -s "$tls/broker.pem" ] || "$root/scripts/samsa-certs.sh" --dir "$tls" broker broker >/dev/null
    if [ ! -s "$tls/admin.properties" ]; then
        password=$(openssl rand -hex 16)
        (
            umask 077
            printf '%s\n' "security.protocol=SASL_SSL" "sasl.mechanism=SCRAM-SHA-512" \
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$password\";" \
                "ssl.truststore.type=PEM" "ssl.truststore.location=$tls/ca.pem" >"$tls/admin.properties"
            printf '%s\n' "security.protocol=SASL_SSL" "sasl.mechanisms=SCRAM-SHA-512" \
                "sasl.username=admin" "sasl.password=$password" "ssl.ca.location=$tls/ca.pem" \
                >"$tls/kcat.conf"
        )
    fi
    password=$(sed -n 's/^sasl.password=//p' "$tls/kcat.conf")
    local out
    out=$("$root/scripts/samsa-configs.sh" --zookeeper "$ZK_HOST:$ZK_PORT" --alter \
        --entity-type users --entity-name admin \
        --add-config "SCRAM-SHA-512=[password=$password],SCRAM-SHA-256=[password=$password]" 2>&1) ||
        die "cannot create the admin user in ZooKeeper: $out"
    note "user admin (super user) in ZooKeeper; its settings are in $tls"
    listener_protocol=SASL_SSL
    kcat_args=(-F "$tls/kcat.conf")
    secure_overrides=(
        --override "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512"
        --override inter.broker.listener.name=SASL_SSL
        --override "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512"
        --override "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$password\";"
        --override ssl.keystore.type=PEM --override "ssl.keystore.location=$tls/broker.pem"
        --override ssl.truststore.type=PEM --override "ssl.truststore.location=$tls/ca.pem"
        --override authorizer.class.name=kafka.security.authorizer.AclAuthorizer
        --override super.users=User:admin
    )
}

print_howto_secure() {
    local b=$BROKER_HOST:$BROKER_PORT
    cat <<HOWTO

Samsa is running, secured (SASL_SSL, ACLs on):
  ZooKeeper  $ZK_HOST:$ZK_PORT   data in var/zookeeper, output in var/logs/zookeeper.out
  Broker     $b   SASL_SSL only; logs in var/samsa-logs, output in var/logs/samsaServer.out
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
  ZooKeeper  $ZK_HOST:$ZK_PORT   data in var/zookeeper, output in var/logs/zookeeper.out
  Broker     $b   logs in var/samsa-logs, output in var/logs/samsaServer.out

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
    if [ "$skip_deps" -eq 0 ]; then
        "$root/scripts/install-deps.sh"
    fi
    build_broker
    mkdir -p "$LOG_DIR"
    start_zookeeper
    if [ "$secure" -eq 1 ]; then
        prepare_secure
    fi
    start_broker
    if [ "$secure" -eq 1 ]; then
        print_howto_secure
    else
        print_howto
    fi
}

# --- stop / status ------------------------------------------------------------------------

# Stops the daemon recorded in a pid file with its stop script; never touches anything else.
stop_one() { # <what> <pidfile> <stop-script>
    if [ ! -f "$2" ]; then
        note "$1: nothing to stop (not started by quickstart)"
        return 0
    fi
    "$root/scripts/$3"
}

cmd_stop() {
    local rc=0
    # The broker first: its shutdown still talks to ZooKeeper.
    stop_one "broker" "$broker_pidfile" samsa-server-stop.sh || rc=1
    stop_one "ZooKeeper" "$zk_pidfile" zookeeper-server-stop.sh || rc=1
    return "$rc"
}

cmd_status() {
    local pid
    if pid=$(pid_file_process "$zk_pidfile"); then
        note "ZooKeeper running (pid $pid) on $ZK_HOST:$ZK_PORT"
    else
        note "ZooKeeper not running"
    fi
    if pid=$(pid_file_process "$broker_pidfile"); then
        note "broker running (pid $pid) on $BROKER_HOST:$BROKER_PORT"
    else
        note "broker not running"
    fi
}

command=start
skip_deps=0
listener_protocol=PLAINTEXT
kcat_args=()
secure_overrides=()
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
