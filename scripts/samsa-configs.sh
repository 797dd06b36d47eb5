#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Alters and describes topic configs, broker configs (per broker and the cluster default) and
# SCRAM user credentials, with the flags and output of Kafka 2.8's bin/kafka-configs.sh.
# A thin wrapper: the work is `samsa-admin configs`.
set -euo pipefail
PROG=samsa-configs
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<USAGE
USAGE: $0 --bootstrap-server HOST:PORT [--command-config FILE]
          (--alter ENTITY [--add-config CONFIGS | --add-config-file FILE] [--delete-config NAMES]
           | --describe [--all] ENTITY)
       $0 --zookeeper HOST:PORT[/CHROOT] (--alter | --describe) --entity-type users ...

ENTITY (topics and brokers need --bootstrap-server):
  --entity-type topics --entity-name T       or  --topic T
  --entity-type brokers --entity-name ID     or  --broker ID
  --entity-type brokers --entity-default     or  --broker-defaults   (the cluster-wide default)
  --entity-type users --entity-name USER     or  --user USER         (SCRAM credentials)
  With --describe the name may be left out: every topic, or every broker and the default.

  --add-config CONFIGS      topics/brokers: 'retention.ms=86400000,cleanup.policy=[compact,delete]'
                            (square brackets group a value with commas); users:
                            'SCRAM-SHA-256=[iterations=8192,password=alice-secret],
                            SCRAM-SHA-512=[password=alice-secret]' (iterations default 4096)
  --add-config-file FILE    the configs to add, as a properties file (topics and brokers)
  --delete-config NAMES     e.g. 'retention.ms,segment.bytes' or 'SCRAM-SHA-512'
  --describe [--all]        the entity's dynamic configs with their synonyms (--all: every
                            config, static and default ones too)
  --zookeeper HOST:PORT[/CHROOT]  users only: write /config/users/<user> in ZooKeeper directly
                                  (works before any broker runs)
  --command-config FILE     client properties for --bootstrap-server: security.protocol,
                            sasl.mechanism, sasl.jaas.config, ssl.*
  -h, --help                show this help

Topics are altered with IncrementalAlterConfigs, brokers with AlterConfigs, as Kafka 2.8 does;
the brokers store the configs under /config/ in ZooKeeper and apply them at once.

Examples:
  $0 --bootstrap-server 127.0.0.1:9092 --alter --entity-type topics --entity-name orders \\
      --add-config retention.ms=86400000
  $0 --bootstrap-server 127.0.0.1:9092 --describe --entity-type brokers --entity-default
  $0 --bootstrap-server 127.0.0.1:9092 --alter --broker 1 --add-config message.max.bytes=2097152
  $0 --zookeeper 127.0.0.1:2181 --alter --entity-type users --entity-name alice \\
      --add-config 'SCRAM-SHA-256=[iterations=8192,password=alice-secret]'
Environment:
  SAMSA_ADMIN_BIN   the samsa-admin binary (default: \$SAMSA_ROOT/build/tools/admin/samsa-admin,
                    then samsa-admin on PATH)
USAGE
}

run_admin configs "$@"
