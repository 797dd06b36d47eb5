# A Samsa cluster on plain EC2: a ZooKeeper ensemble and brokers, one node of each per private
# subnet (one subnet per availability zone). Every node keeps a fixed private address (an ENI
# made before the instance), a fixed id (its key in the node maps below) and an encrypted data
# volume that outlives the instance, so replacing an instance never renumbers the cluster.
# Secrets live in Secrets Manager under <name>/, encrypted with the cluster's KMS key; nodes read
# them at boot through their instance role (scripts/samsa-bootstrap.sh).

data "aws_ami" "debian" {
  count       = var.ami_id == null ? 1 : 0
  most_recent = true
  owners      = ["136693071363"] # Debian's official AWS account

  filter {
    name   = "name"
    values = ["debian-12-amd64-*"]
  }
}

locals {
  ami_id  = var.ami_id != null ? var.ami_id : data.aws_ami.debian[0].id
  subnets = module.network.private_subnets

  # Node N sits in subnet (N-1) mod 3 at a fixed address; its key "N" is its myid or broker.id.
  zookeeper_nodes = {
    for i in range(1, var.zookeeper_count + 1) : tostring(i) => {
      name       = "zk${i}"
      subnet_id  = local.subnets[(i - 1) % length(local.subnets)].id
      az         = local.subnets[(i - 1) % length(local.subnets)].az
      private_ip = cidrhost(local.subnets[(i - 1) % length(local.subnets)].cidr, var.zookeeper_host_offset + i)
    }
  }
  broker_nodes = {
    for i in range(1, var.broker_count + 1) : tostring(i) => {
      name       = "kafka${i}"
      subnet_id  = local.subnets[(i - 1) % length(local.subnets)].id
      az         = local.subnets[(i - 1) % length(local.subnets)].az
      private_ip = cidrhost(local.subnets[(i - 1) % length(local.subnets)].cidr, var.broker_host_offset + i)
    }
  }

  zookeeper_connect = "${join(",", [for id, n in local.zookeeper_nodes : "${n.name}.${var.private_zone_name}:2181"])}/kafka"
  bootstrap_servers = join(",", [for id, n in local.broker_nodes : "${n.name}.${var.private_zone_name}:9093"])
}

module "network" {
  source = "./modules/network"

  name                        = var.name
  create_vpc                  = var.create_vpc
  vpc_cidr                    = var.vpc_cidr
  availability_zones          = var.availability_zones
  existing_vpc_id             = var.existing_vpc_id
  existing_private_subnet_ids = var.existing_private_subnet_ids
}

module "dns" {
  source = "./modules/dns"

  zone_name = var.private_zone_name
  vpc_id    = module.network.vpc_id
  records = merge(
    { for id, n in local.zookeeper_nodes : n.name => n.private_ip },
    { for id, n in local.broker_nodes : n.name => n.private_ip },
  )
}

module "security" {
  source = "./modules/security"

  name         = var.name
  vpc_id       = module.network.vpc_id
  client_cidrs = var.client_cidrs
  enable_ssh   = var.enable_ssh
  ssh_cidrs    = var.ssh_cidrs

  monitoring_cidr = var.monitoring_cidr
  metrics_port    = var.metrics_port
}

module "secrets" {
  source = "./modules/secrets"

  name          = var.name
  broker_ids    = keys(local.broker_nodes)
  recovery_days = var.secret_recovery_days
}

module "zookeeper" {
  source = "./modules/zookeeper"

  name               = var.name
  nodes              = local.zookeeper_nodes
  ami_id             = local.ami_id
  instance_type      = var.zookeeper_instance_type
  volume_size_gb     = var.zookeeper_volume_size_gb
  kms_key_arn        = module.secrets.kms_key_arn
  security_group_ids = [module.security.zookeeper_security_group_id]
  key_name           = var.key_name
  zone_name          = var.private_zone_name
  artifact_url       = var.artifact_url
  aws_region         = var.aws_region

  # Boot resolves the other nodes by name.
  depends_on = [module.dns]
}

module "kafka" {
  source = "./modules/kafka"

  name               = var.name
  nodes              = local.broker_nodes
  ami_id             = local.ami_id
  instance_type      = var.broker_instance_type
  volume_size_gb     = var.broker_volume_size_gb
  kms_key_arn        = module.secrets.kms_key_arn
  security_group_ids = [module.security.broker_security_group_id]
  key_name           = var.key_name
  zone_name          = var.private_zone_name
  zookeeper_connect  = local.zookeeper_connect
  secrets_prefix     = module.secrets.prefix
  secret_arns        = module.secrets.broker_secret_arns
  artifact_url       = var.artifact_url
  aws_region         = var.aws_region
  # metrics.listener only where the security group lets monitoring_cidr reach it.
  metrics_port = var.monitoring_cidr == null ? null : var.metrics_port

  # Boot resolves the other nodes by name.
  depends_on = [module.dns]
}
