#!/usr/bin/env bash
# samsa-bootstrap.sh on EC2's code path, with fakes: the facts user_data leaves unset come from
# the metadata service (a fake IMDSv2 in a network namespace of its own, on 169.254.169.254,
# refusing requests without a token), and the secrets from Secrets Manager (a fake `aws` on
# PATH that serves <prefix>/<name> from a directory and logs its arguments). Both roles run
# with --configure-only; the test reads the configuration they wrote.
# Exit 77 (skipped) without root or ip netns.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
    echo "bootstrap_imds: needs root and ip netns: skipped"
    exit 77
fi
ns=samsa-imds-$$
work=$(mktemp -d)
created=0
teardown() {
    local rc=$? pid
    if [ "$created" -eq 1 ]; then
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
    fi
    rm -rf "$work"
    exit "$rc"
}
trap teardown EXIT
failures=0
expect() { # <what> <command...>
    if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi
}

# The namespace has only its loopback, which holds the metadata address: nothing leaves it.
ip netns add "$ns"
created=1
ip -n "$ns" link set lo up
ip -n "$ns" addr add 169.254.169.254/32 dev lo
ip netns exec "$ns" /usr/bin/python3 "$here/fake_imds.py" 80 "$work/imds.log" &
for _ in $(seq 50); do
    ip netns exec "$ns" curl -s -o /dev/null -m 1 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 1' \
        http://169.254.169.254/latest/api/token && break
    sleep 0.1
done
: >"$work/imds.log"

# The fake Secrets Manager: what the operator and Terraform put under the prefix.
mkdir -p "$work/bin" "$work/store/prod" "$work/tls"
"$root/scripts/samsa-certs.sh" --dir "$work/tls" ca >/dev/null
"$root/scripts/samsa-certs.sh" --dir "$work/tls" broker broker-2 \
    --san ip-10-9-8-7.eu-west-1.compute.internal >/dev/null
cp "$work/tls/ca.pem" "$work/tls/broker-2.pem" "$work/store/prod/"
printf 'admin-pw-123' >"$work/store/prod/admin-password"
printf 'samsa:zk-pw-456' >"$work/store/prod/zookeeper-digest"
cat >"$work/bin/aws" <<FAKE
#!/bin/sh
echo "\$*" >>"$work/aws.log"
while [ \$# -gt 0 ]; do
    [ "\$1" = --secret-id ] && exec cat "$work/store/\$2"
    shift
done
exit 2
FAKE
chmod +x "$work/bin/aws"

boot() { # <facts file>
    ip netns exec "$ns" env -i PATH="$work/bin:$PATH" SAMSA_HOST_ENV="$1" \
        "$root/scripts/samsa-bootstrap.sh" --configure-only
}

# A broker: user_data gives role, id, ensemble and secret prefix; IMDS the rest.
printf '%s\n' ROLE=broker NODE_ID=2 "ZK_CONNECT=zk1:2181,zk2:2181,zk3:2181/kafka" BROKER_COUNT=3 \
    SECRETS_PREFIX=prod AWS_REGION=eu-west-1 "SAMSA_CONF_DIR=$work/broker" \
    "DATA_DIR=$work/broker-data" METRICS_PORT=9404 >"$work/broker.env"
boot "$work/broker.env" >"$work/broker.out" 2>&1 || { cat "$work/broker.out"; exit 1; }
props=$work/broker/server.properties
has() { grep -qxF -- "$2" "$1"; }
expect "broker.id from user_data" has "$props" broker.id=2
expect "broker.rack from IMDS" has "$props" broker.rack=eu-west-1b
expect "listeners on the IMDS address" has "$props" "listeners=INTERNAL://10.9.8.7:9092,CLIENT://10.9.8.7:9093"
expect "advertised name from IMDS" has "$props" \
    "advertised.listeners=INTERNAL://ip-10-9-8-7.eu-west-1.compute.internal:9092,CLIENT://ip-10-9-8-7.eu-west-1.compute.internal:9093"
expect "ZooKeeper login from Secrets Manager" has "$props" zookeeper.auth.digest=samsa:zk-pw-456
expect "ZooKeeper ACLs on" has "$props" zookeeper.set.acl=true
expect "admin login from Secrets Manager" grep -qF 'username="admin" password="admin-pw-123";' "$props"
expect "RF 3, min ISR 2" has "$props" min.insync.replicas=2
expect "metrics.listener on the IMDS address (METRICS_PORT from user_data)" has "$props" \
    metrics.listener=http://10.9.8.7:9404
expect "server.properties readable by its owner only" test "$(stat -c %a "$props")" = 600
expect "keystore from Secrets Manager" cmp -s "$work/broker/tls/broker.pem" "$work/tls/broker-2.pem"
expect "keystore readable by its owner only" test "$(stat -c %a "$work/broker/tls/broker.pem")" = 600
expect "secrets asked for by name under the prefix, in the region" \
    grep -qF -- "--region eu-west-1 --secret-id prod/broker-2.pem" "$work/aws.log"
expect "IMDSv2: a token first" grep -q '^PUT /latest/api/token token=- -> 200$' "$work/imds.log"
expect "IMDSv2: every read carries the token" \
    test "$(grep -c '^GET .* token=fake-imds-token -> 200$' "$work/imds.log")" -eq 3
expect "IMDSv2: no read without a token" bash -c "! grep -q '^GET .* token=- ' '$work/imds.log'"

# A ZooKeeper member: the ensemble from user_data, its address from IMDS.
printf '%s\n' ROLE=zk NODE_ID=3 "ZK_SERVERS=1=zk1.x,2=zk2.x,3=zk3.x" "SAMSA_CONF_DIR=$work/zk" \
    "DATA_DIR=$work/zk-data" >"$work/zk.env"
boot "$work/zk.env" >"$work/zk.out" 2>&1 || { cat "$work/zk.out"; exit 1; }
zoo=$work/zk/zookeeper.properties
expect "myid" test "$(cat "$work/zk-data/zookeeper/myid")" = 3
expect "server.N lines" bash -c "grep '^server\.' '$zoo' | tr '\n' ' ' | grep -qx 'server.1=zk1.x:2888:3888 server.2=zk2.x:2888:3888 server.3=zk3.x:2888:3888 '"
expect "client port bound to the IMDS address" has "$zoo" clientPortAddress=10.9.8.7
expect "AdminServer off" has "$zoo" admin.enableServer=false

# A certificate that does not name the host is refused before anything starts.
"$root/scripts/samsa-certs.sh" --dir "$work/tls" broker other --san somewhere.else >/dev/null
cp "$work/tls/other.pem" "$work/store/prod/broker-2.pem"
refused() { # the boot fails, naming the mismatch
    local out
    if out=$(boot "$work/broker.env" 2>&1); then return 1; fi
    grep -q 'does not name ip-10-9-8-7' <<<"$out"
}
expect "a keystore for another name is refused" refused
# Off EC2 (no metadata service) a fact left unset stops the boot, naming it.
ip -n "$ns" addr del 169.254.169.254/32 dev lo
no_imds() {
    local out
    if out=$(boot "$work/zk.env" 2>&1); then return 1; fi
    grep -q 'no instance metadata service' <<<"$out"
}
expect "without IMDS an unset fact stops the boot" no_imds
[ "$failures" -eq 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "bootstrap_imds: passed"
