#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# A whole cluster on this machine's loopback: a ZooKeeper ensemble of 1, 3 or 5 members and N
# Samsa brokers (ids 1..N), each with its own data directory, ports, configuration file, output
# and pid file under one directory. `up` starts what is not already running and waits until
# every broker is registered in ZooKeeper and a controller is elected; `down` stops exactly the
# processes `up` started, by the pids in their pid files; `status` shows the processes and what
# ZooKeeper says about the brokers, the controller and the partitions.
#
# Layout of DIR (the shape chosen by `up` is kept in DIR/cluster.env for `down` and `status`):
#   zookeeper-<n>.properties, zookeeper-<n>/ (dataDir with myid), logs/zookeeper-<n>/
#   broker-<i>.properties, samsa-logs-<i>/ (log.dirs), logs/broker-<i>/
#   tls/ (--secure: the CA, the brokers' certificate, the admin user's client settings)
set -euo pipefail
PROG=samsa-cluster
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/common.sh
source "$root/scripts/lib/common.sh"

HOST=127.0.0.1
ZK_WAIT=${SAMSA_CLUSTER_ZK_WAIT:-60}
BROKER_WAIT=${SAMSA_CLUSTER_BROKER_WAIT:-60}
STOP_WAIT=${SAMSA_CLUSTER_STOP_WAIT:-60}
PYTHON=/usr/bin/python3
STATE_TOOL=$root/scripts/lib/cluster_state.py

usage() {
    cat <<USAGE
USAGE: $0 up|down|status [--zk N] [--brokers N] [--secure] [--dir DIR]
          [--base-port PORT] [--zk-base-port PORT]
  up       start a ZooKeeper ensemble and the brokers on $HOST (what already runs is kept),
           wait until every broker is registered and a controller is elected, print the
           bootstrap servers and the ZooKeeper connect string
  down     stop the brokers, then ZooKeeper: only the processes 'up' started (pid files in
           DIR/logs); nothing running is not an error
  status   the processes, then from ZooKeeper: brokers (id, endpoints, up/down), the
           controller, under-replicated and offline partitions
  --zk N            ZooKeeper members: 1, 3 or 5 (default 1)
  --brokers N       brokers, ids 1..N: 1 to 9 (default 1). Replication follows N:
                    default.replication.factor = offsets.topic.replication.factor = min(3, N),
                    min.insync.replicas = max(1, that - 1), num.partitions = N
  --secure          every listener SASL_SSL (TLS with a CA made in DIR/tls; SCRAM and PLAIN
                    against users in ZooKeeper), brokers talk to each other on their own
                    INTERNAL listener as the super user 'admin' (SCRAM-SHA-512), ACL authorizer on;
                    admin's client settings: DIR/tls/kcat.conf (kcat -F) and
                    DIR/tls/admin.properties (samsa-*.sh --command-config)
  --dir DIR         where everything goes (default: $root/var/cluster)
  --base-port PORT  broker i listens on PORT+i-1 (default 9092); with --secure its INTERNAL
                    listener is PORT+100+i-1
  --zk-base-port PORT  member n: client port PORT+n-1 (default 2181), quorum PORT+707+n-1 and
                    election PORT+1707+n-1 (2888 and 3888 for the default)
  -h, --help        show this help
The shape flags matter to 'up' only; 'down' and 'status' read it from DIR/cluster.env.
Environment: SAMSA_BROKER_BIN, SAMSA_ADMIN_BIN (the binaries, default: build/),
  ZOOKEEPER_HEAP_OPTS, ZOOKEEPER_OPTS (see zookeeper-server-start.sh).
USAGE
}

# --- arguments and the shape ------------------------------------------------------------------

command=
zk_count=1 brokers=1 secure=0 base_port=9092 zk_base_port=2181
dir=$root/var/cluster

need_number() { # <flag> <value> <regex> <what>
    [[ "$2" =~ $3 ]] || die "$1 needs $4, not '${2}' (see --help)"
}

parse_args() {
    while [ $# -gt 0 ]; do
        case "$1" in
            up | down | status)
                [ -z "$command" ] || die "one command only ('$command' and '$1')"
                command=$1; shift ;;
            --zk) need_number --zk "${2:-}" '^[135]$' "1, 3 or 5"; zk_count=$2; shift 2 ;;
            --brokers) need_number --brokers "${2:-}" '^[1-9]$' "a number from 1 to 9"; brokers=$2; shift 2 ;;
            --secure) secure=1; shift ;;
            --dir) [ -n "${2:-}" ] || die "--dir needs a directory"; dir=$(realpath -m "$2"); shift 2 ;;
            --base-port) need_number --base-port "${2:-}" '^[1-9][0-9]{2,4}$' "a port number"; base_port=$2; shift 2 ;;
            --zk-base-port) need_number --zk-base-port "${2:-}" '^[1-9][0-9]{2,4}$' "a port number"; zk_base_port=$2; shift 2 ;;
            -h | --help) usage; exit 0 ;;
            *) echo "$PROG: unknown argument '$1'" >&2; usage >&2; exit 1 ;;
        esac
    done
    [ -n "$command" ] || { usage >&2; exit 1; }
    [ $((base_port + 100 + brokers)) -le 65535 ] || die "--base-port $base_port leaves no room for $brokers brokers"
    [ $((zk_base_port + 1707 + zk_count)) -le 65535 ] || die "--zk-base-port $zk_base_port is too high"
}

# Writes the shape to DIR/cluster.env, or, when it exists, checks that `up` asks for the same
# one while something still runs (changing the shape of a running cluster is not supported).
record_shape() {
    local env=$dir/cluster.env
    local want="ZK_COUNT=$zk_count BROKERS=$brokers SECURE=$secure BASE_PORT=$base_port ZK_BASE_PORT=$zk_base_port"
    if [ -f "$env" ] && [ "$(tr '\n' ' ' <"$env" | sed 's/ $//')" != "$want" ] && [ -n "$(running_pids)" ]; then
        die "a cluster of another shape is running from $dir ($(tr '\n' ' ' <"$env")); \
run '$0 down --dir $dir' first"
    fi
    mkdir -p "$dir"
    tr ' ' '\n' <<<"$want" >"$env"
}

load_shape() {
    local env=$dir/cluster.env key value
    [ -f "$env" ] || return 1
    while IFS='=' read -r key value; do
        [[ "$value" =~ ^[0-9]+$ ]] || die "$env: bad line '$key=$value'"
        case "$key" in
            ZK_COUNT) zk_count=$value ;;
            BROKERS) brokers=$value ;;
            SECURE) secure=$value ;;
            BASE_PORT) base_port=$value ;;
            ZK_BASE_PORT) zk_base_port=$value ;;
        esac
    done <"$env"
}

zk_port() { echo $((zk_base_port + $1 - 1)); }
broker_port() { echo $((base_port + $1 - 1)); }
internal_port() { echo $((base_port + 100 + $1 - 1)); }
zk_log_dir() { echo "$dir/logs/zookeeper-$1"; }
broker_log_dir() { echo "$dir/logs/broker-$1"; }
zk_pidfile() { echo "$(zk_log_dir "$1")/zookeeper.pid"; }
broker_pidfile() { echo "$(broker_log_dir "$1")/samsaServer.pid"; }

zk_connect() {
    local n out=()
    for n in $(seq "$zk_count"); do out+=("$HOST:$(zk_port "$n")"); done
    (IFS=,; echo "${out[*]}")
}

bootstrap_servers() {
    local i out=()
    for i in $(seq "$brokers"); do out+=("$HOST:$(broker_port "$i")"); done
    (IFS=,; echo "${out[*]}")
}

# Pids of this cluster's processes that still run, one per line.
running_pids() {
    local f
    for f in "$dir"/logs/broker-*/samsaServer.pid "$dir"/logs/zookeeper-*/zookeeper.pid; do
        [ -f "$f" ] && pid_file_process "$f"
    done
    return 0
}

# --- up: ZooKeeper ----------------------------------------------------------------------------

# Fails with a clear message when host:port answers although our process is not running.
require_free_port() { # <what> <port>
    port_in_use "$HOST" "$2" || return 0
    {
        echo "$PROG: cannot start $1: $HOST:$2 is already in use by a process this cluster did not start:"
        describe_port_owner "$2"
        echo "Stop it, or choose other ports (--base-port, --zk-base-port)."
    } >&2
    exit 1
}

# The member's role from the four-letter word srvr: leader, follower or standalone once it
# serves clients; nothing before (a member without a quorum does not answer srvr).
zookeeper_mode() { # <port>
    timeout 3 bash -c "exec 3<>/dev/tcp/$HOST/$1 && printf srvr >&3 && cat <&3" 2>/dev/null |
        sed -n 's/^Mode: //p' || true
}

write_zookeeper_config() { # <n>
    local n=$1 data=$dir/zookeeper-$1 m
    mkdir -p "$data"
    echo "$n" >"$data/myid"
    {
        echo "# samsa-cluster.sh: ZooKeeper member $n of $zk_count (from config/zookeeper.properties)"
        grep -v -E '^(dataDir|clientPort|clientPortAddress)=' "$root/config/zookeeper.properties"
        echo "dataDir=$data"
        echo "clientPort=$(zk_port "$n")"
        echo "clientPortAddress=$HOST"
        if [ "$zk_count" -gt 1 ]; then
            # A quorum member: every member lists all members, itself included.
            echo "initLimit=10"
            echo "syncLimit=5"
            for m in $(seq "$zk_count"); do
                echo "server.$m=$HOST:$((zk_base_port + 707 + m - 1)):$((zk_base_port + 1707 + m - 1))"
            done
        fi
    } >"$dir/zookeeper-$n.properties"
}

start_zookeeper_member() { # <n>
    local n=$1 pid
    if pid=$(pid_file_process "$(zk_pidfile "$n")"); then
        note "ZooKeeper $n already running (pid $pid)"
        return 0
    fi
    require_free_port "ZooKeeper $n" "$(zk_port "$n")"
    if [ "$zk_count" -gt 1 ]; then
        require_free_port "ZooKeeper $n (quorum)" $((zk_base_port + 707 + n - 1))
        require_free_port "ZooKeeper $n (election)" $((zk_base_port + 1707 + n - 1))
    fi
    write_zookeeper_config "$n"
    LOG_DIR=$(zk_log_dir "$n") PID_DIR=$(zk_log_dir "$n") \
        "$root/scripts/zookeeper-server-start.sh" -daemon "$dir/zookeeper-$n.properties"
}

wait_for_zookeeper() {
    local deadline=$((SECONDS + ZK_WAIT)) n serving mode
    while :; do
        serving=0
        for n in $(seq "$zk_count"); do
            pid_file_process "$(zk_pidfile "$n")" >/dev/null ||
                die_with_output "ZooKeeper $n exited" "$(zk_log_dir "$n")/zookeeper.out"
            mode=$(zookeeper_mode "$(zk_port "$n")")
            [[ "$mode" =~ ^(leader|follower|standalone)$ ]] && serving=$((serving + 1))
        done
        [ "$serving" -eq "$zk_count" ] && break
        [ "$SECONDS" -lt "$deadline" ] ||
            die_with_output "ZooKeeper: $serving of $zk_count members serving after ${ZK_WAIT}s" \
                "$(zk_log_dir 1)/zookeeper.out"
        sleep 0.3
    done
    note "ZooKeeper serving on $(zk_connect)"
}

die_with_output() { # <message> <output file>
    echo "$PROG: $1; last lines of $2:" >&2
    tail -n 30 "$2" >&2 || true
    echo "($0 down --dir $dir stops what was started.)" >&2
    exit 1
}

# --- up: brokers ------------------------------------------------------------------------------

replication_factor() { echo $((brokers < 3 ? brokers : 3)); }
min_isr() { local rf; rf=$(replication_factor); echo $((rf > 1 ? rf - 1 : 1)); }

# --secure: TLS material, the admin user in ZooKeeper (before any broker reads it), client
# settings; made once and kept in DIR/tls. Sets admin_password.
prepare_secure() {
    local tls=$dir/tls out
    "$root/scripts/samsa-certs.sh" --dir "$tls" ca >/dev/null
    [ -s "$tls/broker.pem" ] || "$root/scripts/samsa-certs.sh" --dir "$tls" broker broker >/dev/null
    if [ ! -s "$tls/kcat.conf" ]; then
        admin_password=$(openssl rand -hex 16)
        (
            umask 077
            printf '%s\n' "security.protocol=SASL_SSL" "sasl.mechanism=SCRAM-SHA-512" \
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$admin_password\";" \
                "ssl.truststore.type=PEM" "ssl.truststore.location=$tls/ca.pem" >"$tls/admin.properties"
            printf '%s\n' "security.protocol=SASL_SSL" "sasl.mechanisms=SCRAM-SHA-512" \
                "sasl.username=admin" "sasl.password=$admin_password" "ssl.ca.location=$tls/ca.pem" \
                >"$tls/kcat.conf"
        )
    fi
    admin_password=$(sed -n 's/^sasl.password=//p' "$tls/kcat.conf")
    out=$("$root/scripts/samsa-configs.sh" --zookeeper "$(zk_connect)" --alter \
        --entity-type users --entity-name admin \
        --add-config "SCRAM-SHA-512=[password=$admin_password],SCRAM-SHA-256=[password=$admin_password]" 2>&1) ||
        die "cannot create the admin user in ZooKeeper: $out"
    note "user admin (super user) in ZooKeeper; its settings are in $tls"
}

# The key=value lines broker $1 gets on top of config/server.properties.
broker_settings() { # <id>
    local i=$1 rf tls=$dir/tls
    rf=$(replication_factor)
    echo "broker.id=$i"
    echo "log.dirs=$dir/samsa-logs-$i"
    echo "zookeeper.connect=$(zk_connect)"
    echo "num.partitions=$brokers"
    echo "default.replication.factor=$rf"
    echo "offsets.topic.replication.factor=$rf"
    echo "transaction.state.log.replication.factor=$rf"
    echo "transaction.state.log.min.isr=$(min_isr)"
    echo "min.insync.replicas=$(min_isr)"
    # The last broker to stop always exhausts its controlled shutdown attempts (no other
    # replica is alive to take over its partitions): 1 s between them instead of Kafka's 5 s
    # keeps 'down' short.
    echo "controlled.shutdown.retry.backoff.ms=1000"
    if [ "$secure" -eq 0 ]; then
        echo "listeners=PLAINTEXT://$HOST:$(broker_port "$i")"
        return
    fi
    echo "listeners=CLIENT://$HOST:$(broker_port "$i"),INTERNAL://$HOST:$(internal_port "$i")"
    echo "listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:SASL_SSL"
    echo "inter.broker.listener.name=INTERNAL"
    echo "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512"
    echo "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512"
    echo "listener.name.internal.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$admin_password\";"
    echo "ssl.keystore.type=PEM"
    echo "ssl.keystore.location=$tls/broker.pem"
    echo "ssl.truststore.type=PEM"
    echo "ssl.truststore.location=$tls/ca.pem"
    echo "authorizer.class.name=kafka.security.authorizer.AclAuthorizer"
    echo "super.users=User:admin"
}

# config/server.properties without the keys this script sets, then those keys: each broker's
# whole configuration in one file an operator can read (mode 600: it may hold a password).
write_broker_config() { # <id>
    local i=$1 settings keys
    settings=$(broker_settings "$i")
    keys=$(sed 's/=.*//; s/\./\\./g' <<<"$settings" | paste -sd'|')
    (
        umask 077
        {
            echo "# samsa-cluster.sh: broker $i of $brokers (from config/server.properties)"
            grep -v -E "^($keys)=" "$root/config/server.properties"
            echo
            echo "############################# samsa-cluster.sh #############################"
            echo "$settings"
        } >"$dir/broker-$i.properties"
    )
}

start_broker() { # <id>
    local i=$1 pid
    if pid=$(pid_file_process "$(broker_pidfile "$i")"); then
        note "broker $i already running (pid $pid)"
        return 0
    fi
    require_free_port "broker $i" "$(broker_port "$i")"
    [ "$secure" -eq 0 ] || require_free_port "broker $i (INTERNAL)" "$(internal_port "$i")"
    mkdir -p "$dir/samsa-logs-$i"
    write_broker_config "$i"
    LOG_DIR=$(broker_log_dir "$i") PID_DIR=$(broker_log_dir "$i") \
        "$root/scripts/samsa-server-start.sh" -daemon "$dir/broker-$i.properties"
}

# Until ZooKeeper shows every broker registered and a controller; fails if a broker exits.
wait_for_brokers() {
    local deadline=$((SECONDS + BROKER_WAIT)) i expect why
    expect=$(seq -s, "$brokers")
    while ! why=$("$PYTHON" "$STATE_TOOL" wait --zookeeper "$(zk_connect)" --expect "$expect" \
        --timeout 0 2>&1); do
        for i in $(seq "$brokers"); do
            pid_file_process "$(broker_pidfile "$i")" >/dev/null ||
                die_with_output "broker $i exited" "$(broker_log_dir "$i")/samsaServer.out"
        done
        [ "$SECONDS" -lt "$deadline" ] ||
            die_with_output "not ready after ${BROKER_WAIT}s: $why" "$(broker_log_dir 1)/samsaServer.out"
        sleep 0.3
    done
}

# Runs "$1 <n>" for n in 1..$2 side by side (each start watches its process for two seconds);
# fails if one of them failed, after all have finished.
start_all() { # <function> <count>
    local n pids=() rc=0
    for n in $(seq "$2"); do
        "$1" "$n" &
        pids+=($!)
    done
    for n in "${pids[@]}"; do wait "$n" || rc=1; done
    [ "$rc" -eq 0 ] || die "could not start everything ($0 down --dir $dir stops what did start)"
}

cmd_up() {
    record_shape
    start_all start_zookeeper_member "$zk_count"
    wait_for_zookeeper
    admin_password=
    [ "$secure" -eq 0 ] || prepare_secure
    start_all start_broker "$brokers"
    wait_for_brokers
    note "all $brokers broker(s) registered, controller elected"
    echo "bootstrap.servers=$(bootstrap_servers)"
    echo "zookeeper.connect=$(zk_connect)"
    if [ "$secure" -eq 1 ]; then
        echo "client settings: $dir/tls/kcat.conf (kcat -F), $dir/tls/admin.properties (--command-config)"
    fi
}

# --- down / status ----------------------------------------------------------------------------

# Stops the processes recorded in the given pid files (stale ones are removed), all at once.
stop_pid_files() { # <what> <pid file>...
    local what=$1 f pid pids=() files=()
    shift
    for f in "$@"; do
        [ -f "$f" ] || continue
        if pid=$(pid_file_process "$f"); then
            pids+=("$pid")
            files+=("$f")
        else
            rm -f "$f"
        fi
    done
    if [ "${#pids[@]}" -eq 0 ]; then
        note "no $what running"
        return 0
    fi
    note "stopping $what: pid ${pids[*]}"
    terminate_and_wait "$STOP_WAIT" "${pids[@]}" || return 1
    rm -f "${files[@]}"
}

cmd_down() {
    if ! load_shape; then
        note "nothing to stop: no cluster in $dir"
        return 0
    fi
    # Brokers first: their controlled shutdown still needs ZooKeeper. One at a time, the
    # controller last, as in a rolling restart: a broker stopping while the controller also
    # goes away retries its ControlledShutdown request for 10 s before giving up on it.
    local controller i
    controller=$("$PYTHON" "$STATE_TOOL" controller --zookeeper "$(zk_connect)" 2>/dev/null) || controller=
    for i in $(seq "$brokers"); do
        [ "$i" = "$controller" ] || stop_pid_files "broker $i" "$(broker_pidfile "$i")"
    done
    [ -z "$controller" ] || stop_pid_files "broker $controller" "$(broker_pidfile "$controller")"
    stop_pid_files "ZooKeeper members" "$dir"/logs/zookeeper-*/zookeeper.pid
}

process_line() { # <what> <pid file> <endpoint>
    local pid
    if pid=$(pid_file_process "$2"); then
        printf '  %-12s running (pid %s)  %s\n' "$1" "$pid" "$3"
    else
        printf '  %-12s not running     %s\n' "$1" "$3"
    fi
}

cmd_status() {
    local n i mode
    load_shape || die "no cluster in $dir (start one with: $0 up --dir $dir)"
    echo "Processes (pid files in $dir/logs):"
    for n in $(seq "$zk_count"); do
        mode=$(zookeeper_mode "$(zk_port "$n")")
        process_line "zookeeper $n" "$(zk_pidfile "$n")" "$HOST:$(zk_port "$n") ${mode:+($mode)}"
    done
    for i in $(seq "$brokers"); do
        process_line "broker $i" "$(broker_pidfile "$i")" "$HOST:$(broker_port "$i")"
    done
    echo "ZooKeeper: $(zk_connect)"
    "$PYTHON" "$STATE_TOOL" status --zookeeper "$(zk_connect)" --expect "$(seq -s, "$brokers")"
}

parse_args "$@"
"cmd_$command"
