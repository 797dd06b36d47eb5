#!/usr/bin/env bash
# The offline Terraform check must fail on the mistakes it exists for: each case copies
# terraform/, makes one mistake, and expects check.js to report it. The unchanged copy must
# pass, so a failure below is the mistake's doing.
# shellcheck disable=SC2016  # the edits are perl, single-quoted on purpose
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../../terraform" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
whats=() messages=() dirs=()

# expect <description> <message the check must print> <file> <perl substitution>: prepares a
# copy of terraform/ with the mistake; all copies are checked at once below (one node process
# shares the parses of the files left unchanged).
expect() {
    local what=$1 message=$2 file=$3 edit=$4 dir
    dir=$work/case${#dirs[@]}
    cp -r "$src" "$dir"
    perl -0pi -e "$edit" "$dir/$file"
    if cmp -s "$src/$file" "$dir/$file"; then
        echo "FAIL $what: the edit changed nothing (the case is stale)"
        failures=$((failures + 1))
    fi
    whats+=("$what") messages+=("$message") dirs+=("$dir")
}

expect "IMDSv1 allowed" "does not require IMDSv2" modules/kafka/main.tf \
    's/http_tokens\s+= "required"/http_tokens = "optional"/'
expect "unencrypted data volume" "aws_ebs_volume.data is not encrypted" modules/zookeeper/main.tf \
    's/(resource "aws_ebs_volume" "data" \{.*?encrypted\s+= )true/${1}false/s'
expect "quorum port moved" "missing ingress zookeeper:2888:sg:zookeeper" modules/security/main.tf \
    's/2888/2889/g'
expect "client listener open to everything" "is open to the internet" modules/security/main.tf \
    's/cidr_ipv4         = each.value/cidr_ipv4         = "0.0.0.0\/0"/'
expect "undeclared variable" "var.zone_nam is not declared" modules/kafka/main.tf \
    's/var\.zone_name\}"/var.zone_nam}"/'
expect "unknown module output" "has no output kms_arn" main.tf \
    's/module\.secrets\.kms_key_arn/module.secrets.kms_arn/'
expect "template variable not passed" "uses broker_count, which is not passed" modules/zookeeper/main.tf \
    's/\n\s*broker_count\s+= 0//'
expect "key the template ignores" "is passed extra, which it does not use" modules/kafka/main.tf \
    's/(role\s+= "broker")/$1\n    extra = 1/'
expect "template renders invalid bash" "renders into invalid bash" templates/user_data.sh.tftpl \
    's/^tar -xzf/tar -xzf "/m'
expect "secret default" "looks secret and has a default" variables.tf \
    's/\z/\nvariable "admin_password" {\n  type        = string\n  description = "x"\n  default     = "hunter2"\n}\n/'
expect "untyped variable" "variable tags has no type" variables.tf \
    's/(variable "tags" \{\n)\s*type\s+= map\(string\)\n/$1/'
expect "missing output" "root module has no output bootstrap_servers" outputs.tf \
    's/output "bootstrap_servers"/output "brokers"/'
expect "ssh on by default" "enable_ssh must exist with default false" variables.tf \
    's/(variable "enable_ssh" \{.*?default\s+= )false/${1}true/s'
expect "template file missing" "does not exist" modules/kafka/main.tf \
    's/user_data\.sh\.tftpl/user-data.sh.tftpl/'
expect "example sets an unknown variable" "sets brokers, which is not a variable" terraform.tfvars.example \
    's/^broker_count( +)=/brokers$1     =/m'
expect "syntax error" "does not parse" modules/dns/main.tf 's/\}\s*\z//'
expect "metrics port open by default" "metrics port not conditional on var.monitoring_cidr" \
    modules/security/main.tf 's/count             = var\.monitoring_cidr == null \? 0 : 1/count             = 1/'
expect "metrics port open to the VPC, not the monitoring CIDR" "metrics port not limited to var.monitoring_cidr" \
    modules/security/main.tf 's/cidr_ipv4         = var\.monitoring_cidr/cidr_ipv4         = "10.0.0.0\/8"/'
expect "metrics port open to the internet" "is open to the internet" \
    modules/security/main.tf 's/cidr_ipv4         = var\.monitoring_cidr/cidr_ipv4         = "0.0.0.0\/0"/'
expect "monitoring CIDR set by default" "monitoring_cidr must exist with default null" variables.tf \
    's/(variable "monitoring_cidr" \{.*?default\s+= )null/${1}"10.42.0.0\/16"/s'
expect "metrics.listener on without the rule" "module kafka: metrics_port must be" main.tf \
    's/metrics_port = var\.monitoring_cidr == null \? null : var\.metrics_port/metrics_port = var.metrics_port/'

# The unchanged copy first: it must pass, so each failure below is its mistake's doing.
cp -r "$src" "$work/unchanged"
out=$(node "$here/check.js" --each "$work/unchanged" "${dirs[@]}")
section() { awk -v d="== $1:" 'index($0, d) == 1 {on = 1; print; next} /^== / {on = 0} on' <<<"$out"; }
section "$work/unchanged" | head -1 | grep -q ': 0 problem(s)$' ||
    { echo "FAIL the unchanged terraform/ does not pass:"; section "$work/unchanged"; exit 1; }
for i in "${!dirs[@]}"; do
    result=$(section "${dirs[$i]}")
    if ! head -1 <<<"$result" | grep -q ': 0 problem(s)$' && grep -qF -- "${messages[$i]}" <<<"$result"; then
        echo "ok   ${whats[$i]}"
    else
        echo "FAIL ${whats[$i]}: expected a line with '${messages[$i]}'; got:"
        printf '     %s\n' "$result"
        failures=$((failures + 1))
    fi
done
[ "$failures" -eq 0 ] || { echo "$failures case(s) failed"; exit 1; }
echo "check_catches: every mistake was caught"
