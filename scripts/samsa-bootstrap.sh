#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Boots one host of a Samsa cluster: a ZooKeeper ensemble member (ROLE=zk) or a broker
# (ROLE=broker). Terraform's user_data runs it on EC2 after writing the instance's facts to
# /etc/samsa/host.env; the network-namespace simulation (tests/ec2/) runs the very same script
# with the facts and the secrets in files. Everything it does goes through the scripts an
# operator runs by hand: zookeeper-server-start.sh, samsa-server-start.sh, samsa-configs.sh.
#
# Facts come from the environment, else from the file $SAMSA_HOST_ENV (KEY=VALUE lines), else
# from the instance metadata service (IMDSv2) for the few it knows (address, name, zone).
# Secrets come from files in $SECRETS_DIR when it is set, else from Secrets Manager
# (<SECRETS_PREFIX>/<name>, through the instance role).
set -euo pipefail
PROG=samsa-bootstrap
# lib/common.sh gives LOG_DIR and PID_DIR defaults of its own; the host's facts decide them here.
env_log_dir=${LOG_DIR:-} env_pid_dir=${PID_DIR:-}
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
LOG_DIR=$env_log_dir PID_DIR=$env_pid_dir

usage() {
    cat <<USAGE
USAGE: $0 [--configure-only] [-h|--help]
  Configures and starts this host's ZooKeeper server or broker from its facts.
  --configure-only   write the configuration (and the TLS files) only: no volume, no waiting
                     for ZooKeeper, no admin user, no service started
Facts (environment, else \$SAMSA_HOST_ENV, else IMDSv2 where marked *):
  ROLE             zk | broker
  NODE_ID          myid of a ZooKeeper node, broker.id of a broker
  PRIVATE_IP *     address the services bind to (IMDS local-ipv4)
  PRIVATE_DNS *    name other hosts and clients use (IMDS local-hostname)
  AZ *             availability zone, the broker's broker.rack (IMDS placement/availability-zone)
  ZK_SERVERS       zk: the ensemble, "1=zk1,2=zk2,3=zk3" (server.N lines)
  ZK_CONNECT       broker: zookeeper.connect, "zk1:2181,zk2:2181,zk3:2181/kafka"
  BROKER_COUNT     broker: number of brokers (replication factor min(3,n), min ISR 2 from 3)
  METRICS_PORT     broker: serve /metrics and the console at http://PRIVATE_IP:<port>
                   (metrics.listener); empty or unset: no metrics listener
  DATA_DIR         dataDir of ZooKeeper, log.dirs of a broker (default /var/lib/samsa)
  DATA_VOLUME_ID   EBS volume to format once and mount on DATA_DIR (unset: use DATA_DIR as is)
  SECRETS_DIR      directory holding the secrets as files (tests); unset: Secrets Manager
  SECRETS_PREFIX   Secrets Manager names are <prefix>/<name> (with AWS_REGION)
  SAMSA_CONF_DIR   where the generated configuration goes (default /etc/samsa)
  SAMSA_SERVICE    systemd | daemon (default: systemd when it runs, else daemon, which starts
                   the service with -daemon, pid file and output in LOG_DIR)
  BOOT_WAIT        seconds to wait for the ZooKeeper quorum and the service (default 600)
Secrets (broker): ca.pem, broker-<NODE_ID>.pem, admin-password, zookeeper-digest (user:password).
USAGE
}

configure_only=0
case "${1:-}" in
    -h | --help) usage; exit 0 ;;
    --configure-only) configure_only=1 ;;
    "") ;;
    *) usage >&2; exit 1 ;;
esac

FACTS=(ROLE NODE_ID NODE_NAME PRIVATE_IP PRIVATE_DNS AZ ZK_SERVERS ZK_CONNECT BROKER_COUNT
    METRICS_PORT DATA_DIR DATA_VOLUME_ID SECRETS_DIR SECRETS_PREFIX AWS_REGION SAMSA_CONF_DIR SAMSA_SERVICE
    BOOT_WAIT LOG_DIR PID_DIR ZOOKEEPER_HEAP_OPTS SAMSA_BROKER_BIN SAMSA_ADMIN_BIN)

# Facts from the file do not override the environment. The file is parsed, never sourced: a
# value is taken literally, and keys outside FACTS are refused.
load_host_env() {
    local file=${SAMSA_HOST_ENV:-} line key value
    [ -n "$file" ] || return 0
    [ -r "$file" ] || die "SAMSA_HOST_ENV=$file is not readable"
    while IFS= read -r line || [ -n "$line" ]; do
        [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
        [[ "$line" =~ ^([A-Z_][A-Z0-9_]*)=(.*)$ ]] || die "$file: not KEY=VALUE: $line"
        key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
        [[ " ${FACTS[*]} " == *" $key "* ]] || die "$file: unknown fact $key"
        [ -n "${!key:-}" ] || export "$key=$value"
    done <"$file"
}

# IMDSv2: a session token first, then the key. Only asked for facts left unset.
imds_token=
imds() {
    local base=http://169.254.169.254/latest
    if [ -z "$imds_token" ]; then
        imds_token=$(curl -sSf -m 5 -X PUT "$base/api/token" \
            -H 'X-aws-ec2-metadata-token-ttl-seconds: 300') ||
            die "no instance metadata service: set the fact the metadata key $1 would give"
    fi
    curl -sSf -m 5 -H "X-aws-ec2-metadata-token: $imds_token" "$base/meta-data/$1"
}

fact_or_imds() { # <fact> <metadata key>
    local name=$1 value
    [ -z "${!name:-}" ] || return 0
    value=$(imds "$2") || exit 1
    [ -n "$value" ] || die "the metadata service has no $2"
    export "$name=$value"
}

require_fact() {
    [ -n "${!1:-}" ] || die "fact $1 is not set (environment or \$SAMSA_HOST_ENV)"
}

# secret <name>: prints the secret's value.
secret() {
    if [ -n "${SECRETS_DIR:-}" ]; then
        [ -r "$SECRETS_DIR/$1" ] || die "secret $1 not found in $SECRETS_DIR"
        cat "$SECRETS_DIR/$1"
    else
        require_fact SECRETS_PREFIX
        aws secretsmanager get-secret-value ${AWS_REGION:+--region "$AWS_REGION"} \
            --secret-id "$SECRETS_PREFIX/$1" --query SecretString --output text ||
            die "cannot read secret $SECRETS_PREFIX/$1 (instance role, KMS key, or not put yet)"
    fi
}

load_facts() {
    load_host_env
    require_fact ROLE
    require_fact NODE_ID
    [[ "$ROLE" =~ ^(zk|broker)$ ]] || die "ROLE must be zk or broker, not '$ROLE'"
    [[ "$NODE_ID" =~ ^[0-9]+$ ]] || die "NODE_ID must be a number, not '$NODE_ID'"
    fact_or_imds PRIVATE_IP local-ipv4
    fact_or_imds PRIVATE_DNS local-hostname
    fact_or_imds AZ placement/availability-zone
    [[ "${METRICS_PORT:-}" =~ ^([1-9][0-9]{0,4})?$ ]] || die "METRICS_PORT must be a port number, not '$METRICS_PORT'"
    DATA_DIR=${DATA_DIR:-/var/lib/samsa}
    SAMSA_CONF_DIR=${SAMSA_CONF_DIR:-/etc/samsa}
    BOOT_WAIT=${BOOT_WAIT:-600}
    LOG_DIR=${LOG_DIR:-/var/log/samsa}
    export LOG_DIR PID_DIR=${PID_DIR:-$LOG_DIR}
    if [ -z "${SAMSA_SERVICE:-}" ]; then
        SAMSA_SERVICE=daemon
        [ -d /run/systemd/system ] && SAMSA_SERVICE=systemd
    fi
    [[ "$SAMSA_SERVICE" =~ ^(systemd|daemon)$ ]] || die "SAMSA_SERVICE: systemd or daemon"
}

# --- storage ---------------------------------------------------------------------------------

# The EBS volume shows up on Nitro as an NVMe device whose serial is the volume id without its
# dash. It is formatted only when blkid finds no file system (never on a reboot or on a new
# instance taking over an old volume), and mounted by UUID with nofail.
mount_data_volume() {
    mkdir -p "$DATA_DIR"
    [ -n "${DATA_VOLUME_ID:-}" ] || return 0
    local dev=/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${DATA_VOLUME_ID//-/} deadline uuid
    deadline=$((SECONDS + BOOT_WAIT))
    until [ -b "$dev" ]; do
        [ "$SECONDS" -lt "$deadline" ] || die "volume $DATA_VOLUME_ID never appeared ($dev)"
        sleep 2
    done
    blkid "$dev" >/dev/null 2>&1 || mkfs.xfs -q "$dev"
    uuid=$(blkid -s UUID -o value "$dev")
    grep -q "UUID=$uuid" /etc/fstab ||
        echo "UUID=$uuid $DATA_DIR xfs defaults,noatime,nofail 0 2" >>/etc/fstab
    mountpoint -q "$DATA_DIR" || mount "$DATA_DIR"
    note "volume $DATA_VOLUME_ID mounted on $DATA_DIR"
}

# --- services --------------------------------------------------------------------------------

# Starts scripts/<start script> with <config>: a systemd unit on EC2, a -daemon process here.
start_service() { # <unit name> <start script> <config> <stop timeout>
    local unit=$1 script=$SAMSA_ROOT/scripts/$2 config=$3
    if [ "$SAMSA_SERVICE" = daemon ]; then
        mkdir -p "$LOG_DIR"
        "$script" -daemon "$config"
        return
    fi
    cat >"/etc/systemd/system/$unit.service" <<UNIT
[Unit]
Description=Samsa $unit
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=$script $config
Environment=LOG_DIR=$LOG_DIR
Restart=on-failure
LimitNOFILE=100000
TimeoutStopSec=$4

[Install]
WantedBy=multi-user.target
UNIT
    systemctl daemon-reload
    systemctl enable --now "$unit.service"
}

# A ZooKeeper server's answer to the four-letter word srvr ("Mode: leader" ...), or nothing.
zookeeper_mode() { # <host> <port>
    timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2 && printf srvr >&3 && cat <&3" 2>/dev/null |
        sed -n 's/^Mode: //p' || true
}

wait_for() { # <what> <command...>
    local what=$1 deadline=$((SECONDS + BOOT_WAIT))
    shift
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || die "gave up after ${BOOT_WAIT}s waiting for $what"
        sleep 1
    done
    note "$what"
}

# --- ZooKeeper -------------------------------------------------------------------------------

write_zookeeper_config() { # <file>
    local entry id host
    {
        echo "# Written by samsa-bootstrap.sh for ZooKeeper node $NODE_ID ($PRIVATE_DNS)."
        echo "dataDir=$DATA_DIR/zookeeper"
        echo "clientPort=2181"
        echo "clientPortAddress=$PRIVATE_IP"
        echo "tickTime=2000"
        echo "initLimit=10"
        echo "syncLimit=5"
        echo "maxClientCnxns=60"
        echo "autopurge.snapRetainCount=3"
        echo "autopurge.purgeInterval=24"
        echo "4lw.commands.whitelist=srvr,ruok,stat,mntr,conf,isro"
        echo "admin.enableServer=false"
        IFS=, read -r -a entries <<<"$ZK_SERVERS"
        for entry in "${entries[@]}"; do
            [[ "$entry" =~ ^([0-9]+)=(.+)$ ]] || die "ZK_SERVERS: '$entry' is not N=host"
            id=${BASH_REMATCH[1]} host=${BASH_REMATCH[2]}
            echo "server.$id=$host:2888:3888"
        done
    } >"$1"
    grep -q "^server\.$NODE_ID=" "$1" || die "ZK_SERVERS has no server.$NODE_ID (this node)"
}

boot_zookeeper() {
    require_fact ZK_SERVERS
    local config=$SAMSA_CONF_DIR/zookeeper.properties
    mkdir -p "$DATA_DIR/zookeeper" "$SAMSA_CONF_DIR"
    write_zookeeper_config "$config"
    echo "$NODE_ID" >"$DATA_DIR/zookeeper/myid"
    [ "$configure_only" -eq 0 ] || { note "configured $config"; return; }
    start_service samsa-zookeeper zookeeper-server-start.sh "$config" 30
    # The quorum forms once a majority of the members are up; this node only has to answer.
    wait_for "ZooKeeper $NODE_ID answers on $PRIVATE_IP:2181" zookeeper_ok "$PRIVATE_IP" 2181
}

# --- broker ----------------------------------------------------------------------------------

zookeeper_quorum() {
    local hosts=${ZK_CONNECT%%/*} hp
    IFS=, read -r -a members <<<"$hosts"
    for hp in "${members[@]}"; do
        [[ "$(zookeeper_mode "${hp%:*}" "${hp##*:}")" =~ ^(leader|follower)$ ]] && return 0
    done
    return 1
}

# The super user admin must exist before any broker starts: the brokers log in to each other
# as admin. Written straight to ZooKeeper with the brokers' own ZooKeeper login, so the znode
# gets the secure ACLs; only when missing, so a rebooted broker keeps the existing salt. Brokers
# booting at the same moment may each write it: same password, the last salt wins, and the
# running brokers reload it from the change notification.
ensure_admin_user() { # <admin password> <zookeeper digest>
    local described
    described=$("$SAMSA_ROOT/scripts/samsa-configs.sh" --zookeeper "$ZK_CONNECT" \
        --zookeeper.auth.digest "$2" --describe --entity-type users --entity-name admin 2>&1) ||
        true
    if [[ "$described" == *SCRAM-SHA-512* ]]; then
        note "user admin already in ZooKeeper"
        return
    fi
    "$SAMSA_ROOT/scripts/samsa-configs.sh" --zookeeper "$ZK_CONNECT" --zookeeper.auth.digest "$2" \
        --alter --entity-type users --entity-name admin \
        --add-config "SCRAM-SHA-512=[iterations=8192,password=$1],SCRAM-SHA-256=[iterations=8192,password=$1]" \
        >/dev/null
    note "user admin (super user) written to ZooKeeper"
}

write_broker_config() { # <file> <admin password> <zookeeper digest>
    local n=${BROKER_COUNT:-3} tls=$SAMSA_CONF_DIR/tls rf isr
    rf=$((n < 3 ? n : 3))
    isr=$((n < 2 ? 1 : 2))
    local login="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$2\";"
    (
        umask 077 # passwords inside
        cat >"$1" <<PROPS
# Written by samsa-bootstrap.sh for broker $NODE_ID ($PRIVATE_DNS, $AZ).
broker.id=$NODE_ID
broker.rack=$AZ
listeners=INTERNAL://$PRIVATE_IP:9092,CLIENT://$PRIVATE_IP:9093
advertised.listeners=INTERNAL://$PRIVATE_DNS:9092,CLIENT://$PRIVATE_DNS:9093
listener.security.protocol.map=INTERNAL:SASL_SSL,CLIENT:SASL_SSL
inter.broker.listener.name=INTERNAL
sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.internal.scram-sha-512.sasl.jaas.config=$login
ssl.keystore.type=PEM
ssl.keystore.location=$tls/broker.pem
ssl.truststore.type=PEM
ssl.truststore.location=$tls/ca.pem
ssl.client.auth=none
authorizer.class.name=kafka.security.authorizer.AclAuthorizer
super.users=User:admin
allow.everyone.if.no.acl.found=false
zookeeper.connect=$ZK_CONNECT
zookeeper.set.acl=true
zookeeper.auth.digest=$3
zookeeper.connection.timeout.ms=18000
log.dirs=$DATA_DIR/logs
num.partitions=3
default.replication.factor=$rf
min.insync.replicas=$isr
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
unclean.leader.election.enable=false
auto.create.topics.enable=false
log.retention.hours=168
log.segment.bytes=1073741824
PROPS
        # On the private address only: Terraform opens the port to monitoring_cidr alone.
        if [ -n "${METRICS_PORT:-}" ]; then
            echo "metrics.listener=http://$PRIVATE_IP:$METRICS_PORT" >>"$1"
        fi
    )
}

install_tls() {
    local tls=$SAMSA_CONF_DIR/tls
    mkdir -p "$tls"
    secret ca.pem >"$tls/ca.pem"
    (umask 077 && secret "broker-$NODE_ID.pem" >"$tls/broker.pem")
    openssl x509 -in "$tls/broker.pem" -noout -checkhost "$PRIVATE_DNS" | grep -q 'does match' ||
        die "secret broker-$NODE_ID.pem does not name $PRIVATE_DNS (samsa-certs.sh broker --san)"
}

broker_listening() { port_in_use "$PRIVATE_IP" 9093; }

boot_broker() {
    require_fact ZK_CONNECT
    local config=$SAMSA_CONF_DIR/server.properties admin_password digest
    mkdir -p "$DATA_DIR/logs" "$SAMSA_CONF_DIR"
    install_tls
    admin_password=$(secret admin-password)
    digest=$(secret zookeeper-digest)
    [[ "$digest" == *:* ]] || die "secret zookeeper-digest must be user:password"
    if [ "$configure_only" -eq 1 ]; then
        write_broker_config "$config" "$admin_password" "$digest"
        note "configured $config"
        return
    fi
    wait_for "the ZooKeeper ensemble has a quorum" zookeeper_quorum
    ensure_admin_user "$admin_password" "$digest"
    write_broker_config "$config" "$admin_password" "$digest"
    start_service samsa-broker samsa-server-start.sh "$config" 120
    wait_for "broker $NODE_ID listens on $PRIVATE_IP:9093" broker_listening
}

load_facts
note "booting $ROLE $NODE_ID ($PRIVATE_DNS, $PRIVATE_IP, $AZ) with $SAMSA_SERVICE"
[ "$configure_only" -eq 1 ] || mount_data_volume
"boot_${ROLE/zk/zookeeper}"
