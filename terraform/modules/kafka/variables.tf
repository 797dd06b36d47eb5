variable "name" {
  type        = string
  description = "Cluster name (prefix of names and tags)."
}

variable "nodes" {
  type = map(object({
    name       = string
    subnet_id  = string
    az         = string
    private_ip = string
  }))
  description = "Brokers by broker.id: host name, subnet, zone and fixed private address."
  validation {
    condition     = length(var.nodes) >= 3
    error_message = "nodes: at least 3 brokers."
  }
}

variable "ami_id" {
  type        = string
  description = "AMI of the brokers (Debian 12)."
}

variable "instance_type" {
  type        = string
  description = "Instance type of the brokers."
}

variable "volume_size_gb" {
  type        = number
  description = "Size of each log volume, in GiB."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key encrypting the volumes and the secrets."
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security groups of the brokers' ENIs."
}

variable "key_name" {
  type        = string
  description = "EC2 key pair, or null."
  default     = null
}

variable "zone_name" {
  type        = string
  description = "Private DNS zone of the node names."
}

variable "zookeeper_connect" {
  type        = string
  description = "zookeeper.connect, chroot included."
}

variable "secrets_prefix" {
  type        = string
  description = "Secrets Manager names are <prefix>/<secret>."
}

variable "secret_arns" {
  type        = list(string)
  description = "Secrets the brokers may read."
}

variable "artifact_url" {
  type        = string
  description = "s3:// URL of the Samsa tarball."
}

variable "metrics_port" {
  type        = number
  description = "Port of metrics.listener on the broker's private address; null: no metrics listener."
  default     = null
}

variable "aws_region" {
  type        = string
  description = "Region, for the AWS CLI at boot."
}
