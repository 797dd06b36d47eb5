variable "name" {
  type        = string
  description = "Cluster name: prefixes every resource, the secret names and the IAM roles."
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name))
    error_message = "name: 2-31 characters, lower-case letters, digits and dashes, starting with a letter."
  }
}

variable "aws_region" {
  type        = string
  description = "AWS region to deploy into, e.g. eu-west-1."
}

variable "availability_zones" {
  type        = list(string)
  description = "Three availability zones: one private subnet, one ZooKeeper node and one broker per zone."
  validation {
    condition     = length(var.availability_zones) == 3
    error_message = "availability_zones: exactly three zones."
  }
}

variable "create_vpc" {
  type        = bool
  description = "true: make a VPC with three private subnets, a NAT gateway and an S3 endpoint; false: use existing_vpc_id and existing_private_subnet_ids."
  default     = true
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR of the VPC made when create_vpc is true; the private subnets are its /24s 1-3."
  default     = "10.42.0.0/16"
  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be an IPv4 CIDR block."
  }
}

variable "existing_vpc_id" {
  type        = string
  description = "With create_vpc = false: the VPC to deploy into."
  default     = null
}

variable "existing_private_subnet_ids" {
  type        = list(string)
  description = "With create_vpc = false: three private subnets, one per availability zone, with egress to the internet (NAT) or VPC endpoints."
  default     = []
}

variable "zookeeper_count" {
  type        = number
  description = "ZooKeeper ensemble size: 3 tolerates one failed node, 5 tolerates two."
  default     = 3
  validation {
    condition     = contains([3, 5], var.zookeeper_count)
    error_message = "zookeeper_count: 3 or 5 (an ensemble needs an odd number of members)."
  }
}

variable "broker_count" {
  type        = number
  description = "Number of brokers (3 or more, so topics get replication factor 3 and min.insync.replicas 2)."
  default     = 3
  validation {
    condition     = var.broker_count >= 3 && var.broker_count <= 30
    error_message = "broker_count: between 3 and 30."
  }
}

variable "zookeeper_host_offset" {
  type        = number
  description = "ZooKeeper node N gets the fixed address cidrhost(subnet, offset + N) in its subnet, so myid and server.N never move."
  default     = 10
  validation {
    condition     = var.zookeeper_host_offset >= 4 && var.zookeeper_host_offset <= 200
    error_message = "zookeeper_host_offset: 4-200 (AWS reserves the first four addresses of a subnet)."
  }
}

variable "broker_host_offset" {
  type        = number
  description = "Broker N gets the fixed address cidrhost(subnet, offset + N) in its subnet."
  default     = 20
  validation {
    condition     = var.broker_host_offset >= 4 && var.broker_host_offset <= 200
    error_message = "broker_host_offset: 4-200 (AWS reserves the first four addresses of a subnet)."
  }
}

variable "ami_id" {
  type        = string
  description = "AMI for every node (Debian 12, amd64). null: the newest official Debian 12 AMI."
  default     = null
}

variable "zookeeper_instance_type" {
  type        = string
  description = "Instance type of the ZooKeeper nodes (dev: t3.small, production: m5.large)."
  default     = "t3.small"
}

variable "broker_instance_type" {
  type        = string
  description = "Instance type of the brokers (dev: t3.large, production: m5.xlarge or r5.xlarge)."
  default     = "t3.large"
}

variable "zookeeper_volume_size_gb" {
  type        = number
  description = "Size of each ZooKeeper node's data volume (gp3, encrypted), in GiB."
  default     = 20
  validation {
    condition     = var.zookeeper_volume_size_gb >= 8
    error_message = "zookeeper_volume_size_gb: at least 8."
  }
}

variable "broker_volume_size_gb" {
  type        = number
  description = "Size of each broker's log volume (gp3, encrypted), in GiB: see scripts/samsa-capacity.sh."
  default     = 100
  validation {
    condition     = var.broker_volume_size_gb >= 10
    error_message = "broker_volume_size_gb: at least 10."
  }
}

variable "client_cidrs" {
  type        = list(string)
  description = "CIDRs of the clients allowed on the brokers' SASL_SSL client listener (port 9093)."
  validation {
    condition     = alltrue([for c in var.client_cidrs : can(cidrhost(c, 0))])
    error_message = "client_cidrs: IPv4 CIDR blocks."
  }
}

variable "enable_ssh" {
  type        = bool
  description = "Open port 22 to ssh_cidrs. Off by default: use SSM Session Manager."
  default     = false
}

variable "ssh_cidrs" {
  type        = list(string)
  description = "CIDRs allowed on port 22 when enable_ssh is true."
  default     = []
  validation {
    condition     = alltrue([for c in var.ssh_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "ssh_cidrs: IPv4 CIDR blocks, never 0.0.0.0/0."
  }
}

variable "monitoring_cidr" {
  type        = string
  description = "CIDR of the Prometheus servers (and of the bastion an SSH tunnel to the console goes through) allowed on the brokers' metrics port. null (default): no broker starts metrics.listener and no rule opens the port. Never 0.0.0.0/0."
  default     = null
  validation {
    condition     = var.monitoring_cidr == null ? true : can(cidrhost(var.monitoring_cidr, 0)) && !startswith(var.monitoring_cidr, "0.0.0.0/")
    error_message = "monitoring_cidr: null or an IPv4 CIDR block narrower than 0.0.0.0/0."
  }
}

variable "metrics_port" {
  type        = number
  description = "Port of each broker's metrics.listener (Prometheus /metrics and the console), bound to the broker's private address; used only when monitoring_cidr is set."
  default     = 9404
  validation {
    condition     = var.metrics_port >= 1024 && var.metrics_port <= 65535 && !contains([9092, 9093], var.metrics_port)
    error_message = "metrics_port: 1024-65535, not a Kafka listener's port (9092, 9093)."
  }
}

variable "key_name" {
  type        = string
  description = "EC2 key pair for ssh (only useful with enable_ssh); null: none."
  default     = null
}

variable "private_zone_name" {
  type        = string
  description = "Route 53 private zone holding zkN and kafkaN; the broker certificates name kafkaN.<zone>."
  default     = "samsa.internal"
}

variable "artifact_url" {
  type        = string
  description = "s3:// URL of the Samsa tarball (scripts/, config/, samsa-broker, samsa-admin) each node installs at boot."
  validation {
    condition     = can(regex("^s3://[a-z0-9.-]+/.+\\.tar\\.gz$", var.artifact_url))
    error_message = "artifact_url: s3://bucket/key.tar.gz."
  }
}

variable "secret_recovery_days" {
  type        = number
  description = "Days a deleted secret can still be restored (0 deletes at once; 7-30 otherwise)."
  default     = 30
  validation {
    condition     = var.secret_recovery_days == 0 || (var.secret_recovery_days >= 7 && var.secret_recovery_days <= 30)
    error_message = "secret_recovery_days: 0, or 7 to 30."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}
