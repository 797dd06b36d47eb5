#!/usr/bin/env bash
# shellcheck disable=SC2317  # teardown is reached through the EXIT trap
# The EC2 deployment, simulated on this machine: seven "hosts" are network namespaces on one
# bridge (DEPLOYMENT.md §10): zk1-3, kafka1-3 and a client. Each server host is booted by
# scripts/samsa-bootstrap.sh, the script Terraform's user_data runs, with its instance facts
# and its secrets in files instead of IMDS and Secrets Manager. The cluster is secured as in
# production: SASL_SSL listeners (SCRAM), TLS from samsa-certs.sh, the ACL authorizer with a
# super user admin, ZooKeeper ACLs (zookeeper.set.acl with a digest login).
# From the client host: a user and ACLs, a topic with RF 3 and min.insync.replicas 2, records
# produced with acks=all; then the leader of partition 0 is cut off the network (its switch
# port goes down): leadership moves, producing goes on, and once the host is back it rejoins
# every ISR; another broker's instance is replaced (data volume kept) and comes back as the same
# broker; every acknowledged record is read back.
#
# Network safety: the run claims a /24 of 10.201.0.0/16 that no route or address here touches,
# by adding a blackhole route for it in the root namespace (the add fails if another run holds
# it), before anything starts, so nothing from the root namespace can reach the simulated subnet
# through the real gateway, and concurrent runs never share a subnet or a namespace name. Every process and client runs inside a namespace.
# Teardown (EXIT trap): every process in our namespaces by pid, then our namespaces by name,
# their /etc/netns files, the route. Exit 77 (skipped) without root or ip netns.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
PY=/usr/bin/python3
ZONE=sim.internal
DEADLINE=${SIM_WAIT:-90}

log() { printf '%s simulate: %s\n' "$(date +%T)" "$*"; }
fail() { log "FAIL: $*"; exit 1; }

if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
    log "needs root and ip netns: skipped"
    exit 77
fi
export SAMSA_BROKER_BIN=${SAMSA_BROKER_BIN:-$root/build/broker/samsa-broker}
export SAMSA_ADMIN_BIN=${SAMSA_ADMIN_BIN:-$root/build/tools/admin/samsa-admin}
[ -x "$SAMSA_BROKER_BIN" ] || fail "build samsa-broker first ($SAMSA_BROKER_BIN)"
[ -x "$SAMSA_ADMIN_BIN" ] || fail "build samsa-admin first ($SAMSA_ADMIN_BIN)"

# --- the network ------------------------------------------------------------------------------

net='' prefix='' sim=''
created_ns=()
# A /24 no route and no local address of this machine touches (other than the default route):
# blackholing it then cannot take traffic away from anything real.
subnet_untouched() {
    ! ip -4 route show to match "$1.1" | grep -qv '^default' &&
        [ -z "$(ip -4 route show root "$1.0/24")" ] &&
        ! ip -4 -o addr show | grep -q " inet $1\."
}
for n in $(shuf -i 1-254 -n 40); do
    subnet_untouched "10.201.$n" || continue
    if ip route add blackhole "10.201.$n.0/24" 2>/dev/null; then
        net=10.201.$n prefix=se$n-
        break
    fi
done
[ -n "$net" ] || fail "no free /24 in 10.201.0.0/16"

# SIGTERM to every process in the given namespaces (by pid), up to 15 s for them to exit, then
# SIGKILL for what is left.
stop_processes() { # <namespace>...
    local ns pid left
    for ns in "$@"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
    done
    for _ in $(seq 75); do
        left=0
        for ns in "$@"; do [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] || left=1; done
        [ "$left" -eq 1 ] || break
        sleep 0.2
    done
    for ns in "$@"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    done
}

teardown() {
    local rc=$? ns
    local -a brokers=() others=()
    # Runs to the end whatever fails or arrives: no errexit, further signals ignored.
    trap - EXIT
    trap '' INT TERM HUP
    set +e
    if [ "$rc" -ne 0 ] && [ -n "$sim" ]; then
        for f in "$sim"/*/boot.log "$sim"/*/logs/*.out; do
            [ -f "$f" ] && { echo "--- last lines of $f"; tail -n 25 "$f"; }
        done
    fi
    # Brokers (and the client) first, while ZooKeeper still answers their shutdown.
    for ns in "${created_ns[@]}"; do
        case "$ns" in "${prefix}kafka"* | "${prefix}client") brokers+=("$ns") ;; *) others+=("$ns") ;; esac
    done
    stop_processes "${brokers[@]}"
    stop_processes "${others[@]}"
    for ns in "${created_ns[@]}"; do
        ip netns del "$ns" 2>/dev/null || true
        rm -rf "/etc/netns/$ns"
    done
    ip route del blackhole "$net.0/24" 2>/dev/null || true
    [ -n "$(ip netns list)" ] || umount /run/netns 2>/dev/null || true
    [ -z "$sim" ] || rm -rf "$sim"
    log "torn down (exit $rc)"
    exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT TERM

declare -A IP=([zk1]=11 [zk2]=12 [zk3]=13 [kafka1]=21 [kafka2]=22 [kafka3]=23 [client]=100)
HOSTS=(zk1 zk2 zk3 kafka1 kafka2 kafka3 client)
sim=$(mktemp -d /tmp/samsa-ec2-sim.XXXXXX)

add_ns() { ip netns add "$1" && created_ns+=("$1") && ip -n "$1" link set lo up; }

add_ns "${prefix}sw"
ip -n "${prefix}sw" link add br0 type bridge
ip -n "${prefix}sw" link set br0 up
hosts_file=$sim/hosts
{
    echo "127.0.0.1 localhost"
    for h in "${HOSTS[@]}"; do echo "$net.${IP[$h]} $h.$ZONE $h"; done
} >"$hosts_file"
for h in "${HOSTS[@]}"; do
    add_ns "$prefix$h"
    ip -n "${prefix}sw" link add "p-$h" type veth peer name eth0 netns "$prefix$h"
    ip -n "${prefix}sw" link set "p-$h" master br0 up
    ip -n "$prefix$h" addr add "$net.${IP[$h]}/24" dev eth0
    ip -n "$prefix$h" link set eth0 up
    mkdir -p "/etc/netns/$prefix$h"
    cp "$hosts_file" "/etc/netns/$prefix$h/hosts"
    mkdir -p "$sim/$h"
done
log "network $net.0/24: ${HOSTS[*]} on bridge ${prefix}sw"

on() { local h=$1; shift; ip netns exec "$prefix$h" "$@"; }

# --- the secrets (what the operator puts in Secrets Manager) --------------------------------

tls=$sim/operator
"$root/scripts/samsa-certs.sh" --dir "$tls" ca >/dev/null
admin_password=$(openssl rand -hex 16)
alice_password=$(openssl rand -hex 16)
zk_digest="samsa:$(openssl rand -hex 16)"
for i in 1 2 3; do
    "$root/scripts/samsa-certs.sh" --dir "$tls" broker "broker-$i" \
        --san "kafka$i.$ZONE,kafka$i,$net.${IP[kafka$i]}" >/dev/null
done

# --- booting the hosts ------------------------------------------------------------------------

# A host's facts as user_data writes them, its secrets as files (a broker gets only its own key).
write_host() { # <host> <role> <id> <more facts...>
    local h=$1 dir=$sim/$1
    mkdir -p "$dir/secrets"
    {
        echo "ROLE=$2"
        echo "NODE_ID=$3"
        echo "PRIVATE_IP=$net.${IP[$h]}"
        echo "PRIVATE_DNS=$h.$ZONE"
        echo "AZ=sim-$(((${3} - 1) % 3))"
        echo "DATA_DIR=$dir/data"
        echo "SAMSA_CONF_DIR=$dir/conf"
        echo "LOG_DIR=$dir/logs"
        echo "SECRETS_DIR=$dir/secrets"
        echo "SAMSA_SERVICE=daemon"
        echo "BOOT_WAIT=$DEADLINE"
        shift 3
        printf '%s\n' "$@"
    } >"$dir/host.env"
}

zk_servers="1=zk1.$ZONE,2=zk2.$ZONE,3=zk3.$ZONE"
zk_connect="zk1.$ZONE:2181,zk2.$ZONE:2181,zk3.$ZONE:2181/kafka"
for i in 1 2 3; do
    write_host "zk$i" zk "$i" "ZK_SERVERS=$zk_servers" "ZOOKEEPER_HEAP_OPTS=-Xmx128m -Xms32m"
    write_host "kafka$i" broker "$i" "ZK_CONNECT=$zk_connect" "BROKER_COUNT=3"
    cp "$tls/ca.pem" "$tls/broker-$i.pem" "$sim/kafka$i/secrets/"
    printf '%s' "$admin_password" >"$sim/kafka$i/secrets/admin-password"
    printf '%s' "$zk_digest" >"$sim/kafka$i/secrets/zookeeper-digest"
done

# All six at once, as instances come up on EC2: brokers wait for the quorum themselves.
declare -A boot_pid
for h in zk1 zk2 zk3 kafka1 kafka2 kafka3; do
    # shellcheck disable=SC2016  # expanded by the inner sh
    on "$h" unshare --uts sh -c 'hostname "$1" && SAMSA_HOST_ENV="$2" exec "$3"' _ \
        "$h.$ZONE" "$sim/$h/host.env" "$root/scripts/samsa-bootstrap.sh" >"$sim/$h/boot.log" 2>&1 &
    boot_pid[$h]=$!
done
for h in "${!boot_pid[@]}"; do
    wait "${boot_pid[$h]}" || fail "samsa-bootstrap.sh failed on $h (see $h/boot.log below)"
done
log "all six hosts booted by samsa-bootstrap.sh"

# --- the client host --------------------------------------------------------------------------

mkdir -p "$sim/client/tls"
cp "$tls/ca.pem" "$sim/client/tls/ca.pem"
admin_props=$sim/client/admin.properties
printf '%s\n' "security.protocol=SASL_SSL" "sasl.mechanism=SCRAM-SHA-512" \
    "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$admin_password\";" \
    "ssl.truststore.type=PEM" "ssl.truststore.location=$sim/client/tls/ca.pem" >"$admin_props"
bootstrap="kafka1.$ZONE:9093,kafka2.$ZONE:9093,kafka3.$ZONE:9093"
client() { # <client.py command...>: its JSON answer
    on client env BOOTSTRAP="$bootstrap" CA="$sim/client/tls/ca.pem" ADMIN_PASSWORD="$admin_password" \
        ALICE_PASSWORD="$alice_password" ZK_CONNECT="$zk_connect" ZK_DIGEST="$zk_digest" \
        timeout 120 "$PY" "$here/client.py" "$@" 2>>"$sim/client/client.log" | tail -n 1
}
poll() { # <what> <seconds> <command...>
    local what=$1 deadline=$((SECONDS + $2))
    shift 2
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || fail "$what: not within the deadline"
        sleep 1
    done
    log "$what"
}

modes=$(for i in 1 2 3; do
    on client timeout 3 bash -c "exec 3<>/dev/tcp/zk$i.$ZONE/2181 && printf srvr >&3 && cat <&3" |
        sed -n 's/^Mode: //p' || true
done | sort | tr '\n' ' ')
[ "$modes" = "follower follower leader " ] || fail "ZooKeeper modes: '$modes'"
log "ZooKeeper quorum: $modes"

registered() { [ "$(client state __none__ 0 | jq -c .brokers)" = "[1,2,3]" ]; }
poll "brokers 1, 2, 3 registered in ZooKeeper" "$DEADLINE" registered

[ "$(client zk-anonymous /config/users/admin | jq -r .error)" = NoAuth ] ||
    fail "an anonymous ZooKeeper client can read the admin's credentials"
log "ZooKeeper ACLs: /config/users/admin refused without the brokers' login"

on client "$root/scripts/samsa-configs.sh" --bootstrap-server "kafka1.$ZONE:9093" \
    --command-config "$admin_props" --alter --entity-type users --entity-name alice \
    --add-config "SCRAM-SHA-512=[password=$alice_password]" >/dev/null
topic=orders
[ "$(client create-topic "$topic" 3 3 2 | jq -r .created)" = "$topic" ] || fail "create-topic"
on client "$root/scripts/samsa-acls.sh" --bootstrap-server "kafka2.$ZONE:9093" \
    --command-config "$admin_props" --add --allow-principal User:alice --operation Write \
    --operation Read --operation Describe --topic "$topic" >/dev/null
on client "$root/scripts/samsa-acls.sh" --bootstrap-server "kafka2.$ZONE:9093" \
    --command-config "$admin_props" --add --allow-principal User:alice --operation Read \
    --group ec2-sim-reader >/dev/null
log "user alice, topic $topic (RF 3, min.insync.replicas 2) and ACLs made from the client host"

isr_full() {
    client state "$topic" 3 | jq -e '[.states[] | select(.leader > 0 and (.isr | length) == 3)] | length == 3' >/dev/null
}
poll "every partition of $topic has 3 replicas in sync" "$DEADLINE" isr_full

acked=$sim/client/acked
produce() { # <count> <prefix>
    local out
    out=$(client produce "$topic" "$1" "$2")
    jq -r '.acked[]' <<<"$out" >>"$acked"
    log "produced $2: $(jq '.acked | length' <<<"$out") acknowledged, $(jq '.failed | length' <<<"$out") failed"
}
: >"$acked"
produce 300 before
[ "$(wc -l <"$acked")" -eq 300 ] || fail "a healthy cluster did not acknowledge all 300 records"

# --- cutting the leader of partition 0 off the network ----------------------------------------

victim=$(client state "$topic" 3 | jq -r '.states["0"].leader')
[[ "$victim" =~ ^[123]$ ]] || fail "no leader for partition 0"
ip -n "${prefix}sw" link set "p-kafka$victim" down
log "kafka$victim (leader of partition 0) cut off: its switch port is down"

moved() {
    client state "$topic" 3 | jq -e --argjson v "$victim" \
        '[.states[] | select(.leader > 0 and .leader != $v and (.isr | index($v) | not))] | length == 3' >/dev/null
}
poll "leadership left kafka$victim and it left every ISR" "$DEADLINE" moved
produce 300 during
[ "$(wc -l <"$acked")" -eq 600 ] || fail "two brokers in sync (min.insync.replicas 2) should acknowledge everything"

ip -n "${prefix}sw" link set "p-kafka$victim" up
log "kafka$victim healed: its switch port is up"
poll "kafka$victim rejoined every ISR" "$DEADLINE" isr_full
produce 100 after

# --- replacing an instance (terraform apply -replace): same ENI, same data volume ------------

# Another broker's instance is replaced: the service stops (samsa-server-stop.sh, a controlled
# shutdown), the root disk with its generated configuration goes, the data volume stays; the new
# instance boots with the same facts and must come back as the same broker.
r=$((victim % 3 + 1))
on "kafka$r" env LOG_DIR="$sim/kafka$r/logs" PID_DIR="$sim/kafka$r/logs" \
    "$root/scripts/samsa-server-stop.sh" --timeout 60 >/dev/null
isr_short() { ! isr_full; }
poll "kafka$r stopped and left the ISRs (controlled shutdown)" "$DEADLINE" isr_short
rm -rf "$sim/kafka$r/conf"
# shellcheck disable=SC2016  # expanded by the inner sh
on "kafka$r" unshare --uts sh -c 'hostname "$1" && SAMSA_HOST_ENV="$2" exec "$3"' _ \
    "kafka$r.$ZONE" "$sim/kafka$r/host.env" "$root/scripts/samsa-bootstrap.sh" \
    >"$sim/kafka$r/boot.log" 2>&1 || fail "the replacement kafka$r did not boot"
grep -q "user admin already in ZooKeeper" "$sim/kafka$r/boot.log" ||
    fail "the replacement kafka$r rewrote the admin user"
log "kafka$r replaced: booted again from its facts onto its old log volume"
poll "the replacement kafka$r is back in every ISR" "$DEADLINE" isr_full
produce 100 replaced

# --- no acknowledged record is lost -----------------------------------------------------------

want=$(sort -u "$acked" | wc -l)
client consume "$topic" "$want" | jq -r '.values[]' | sort -u >"$sim/client/consumed"
missing=$(comm -23 <(sort -u "$acked") "$sim/client/consumed" | wc -l)
log "acknowledged $want distinct records, read back $(wc -l <"$sim/client/consumed"), missing $missing"
[ "$missing" -eq 0 ] || fail "$missing acknowledged records lost: $(comm -23 <(sort -u "$acked") "$sim/client/consumed" | head -5 | tr '\n' ' ')"
log "PASS"
