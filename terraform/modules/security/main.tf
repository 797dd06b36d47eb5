# Least-privilege security groups; rules name groups rather than CIDRs wherever the peer is ours.
#   ZooKeeper 2181 (client)       <- brokers, admin hosts
#   ZooKeeper 2888/3888 (quorum)  <- ZooKeeper nodes only
#   broker 9092 (INTERNAL, SASL_SSL, inter-broker) <- brokers only
#   broker 9093 (CLIENT, SASL_SSL) <- client_cidrs, admin hosts
#   broker metrics_port (metrics.listener: /metrics, console) <- monitoring_cidr, only when set
#   22 only with enable_ssh, from ssh_cidrs. Egress is open: apt, S3 and the AWS APIs.

resource "aws_security_group" "zookeeper" {
  name        = "${var.name}-zookeeper"
  description = "Samsa ZooKeeper ensemble"
  vpc_id      = var.vpc_id
}

resource "aws_security_group" "broker" {
  name        = "${var.name}-broker"
  description = "Samsa brokers"
  vpc_id      = var.vpc_id
}

resource "aws_security_group" "admin" {
  name        = "${var.name}-admin"
  description = "Attach to admin hosts: reaches ZooKeeper and the client listener"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "zookeeper_client_from_brokers" {
  security_group_id            = aws_security_group.zookeeper.id
  referenced_security_group_id = aws_security_group.broker.id
  ip_protocol                  = "tcp"
  from_port                    = 2181
  to_port                      = 2181
  description                  = "ZooKeeper clients: brokers"
}

resource "aws_vpc_security_group_ingress_rule" "zookeeper_client_from_admin" {
  security_group_id            = aws_security_group.zookeeper.id
  referenced_security_group_id = aws_security_group.admin.id
  ip_protocol                  = "tcp"
  from_port                    = 2181
  to_port                      = 2181
  description                  = "ZooKeeper clients: admin hosts"
}

resource "aws_vpc_security_group_ingress_rule" "zookeeper_quorum" {
  security_group_id            = aws_security_group.zookeeper.id
  referenced_security_group_id = aws_security_group.zookeeper.id
  ip_protocol                  = "tcp"
  from_port                    = 2888
  to_port                      = 2888
  description                  = "ZooKeeper quorum: ensemble members"
}

resource "aws_vpc_security_group_ingress_rule" "zookeeper_election" {
  security_group_id            = aws_security_group.zookeeper.id
  referenced_security_group_id = aws_security_group.zookeeper.id
  ip_protocol                  = "tcp"
  from_port                    = 3888
  to_port                      = 3888
  description                  = "ZooKeeper leader election: ensemble members"
}

resource "aws_vpc_security_group_ingress_rule" "broker_internal" {
  security_group_id            = aws_security_group.broker.id
  referenced_security_group_id = aws_security_group.broker.id
  ip_protocol                  = "tcp"
  from_port                    = 9092
  to_port                      = 9092
  description                  = "INTERNAL listener (SASL_SSL): replication and controller requests"
}

resource "aws_vpc_security_group_ingress_rule" "broker_client_from_admin" {
  security_group_id            = aws_security_group.broker.id
  referenced_security_group_id = aws_security_group.admin.id
  ip_protocol                  = "tcp"
  from_port                    = 9093
  to_port                      = 9093
  description                  = "CLIENT listener (SASL_SSL): admin hosts"
}

resource "aws_vpc_security_group_ingress_rule" "broker_client" {
  for_each          = toset(var.client_cidrs)
  security_group_id = aws_security_group.broker.id
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 9093
  to_port           = 9093
  description       = "CLIENT listener (SASL_SSL): clients"
}

# Prometheus and the console (through an SSH tunnel from a bastion inside monitoring_cidr).
resource "aws_vpc_security_group_ingress_rule" "broker_metrics" {
  count             = var.monitoring_cidr == null ? 0 : 1
  security_group_id = aws_security_group.broker.id
  cidr_ipv4         = var.monitoring_cidr
  ip_protocol       = "tcp"
  from_port         = var.metrics_port
  to_port           = var.metrics_port
  description       = "metrics.listener (Prometheus /metrics, console): monitoring_cidr"
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  for_each = {
    for pair in setproduct(["zookeeper", "broker"], var.enable_ssh ? var.ssh_cidrs : []) :
    "${pair[0]}-${pair[1]}" => { group = pair[0], cidr = pair[1] }
  }
  security_group_id = each.value.group == "zookeeper" ? aws_security_group.zookeeper.id : aws_security_group.broker.id
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  description       = "ssh (enable_ssh)"
}

resource "aws_vpc_security_group_egress_rule" "all" {
  for_each = {
    zookeeper = aws_security_group.zookeeper.id
    broker    = aws_security_group.broker.id
    admin     = aws_security_group.admin.id
  }
  security_group_id = each.value
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
  description       = "apt, S3, Secrets Manager, SSM and the cluster's own ports"
}
