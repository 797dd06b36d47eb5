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
  description = "Ensemble members by myid: host name, subnet, zone and fixed private address."
  validation {
    condition     = contains([3, 5], length(var.nodes))
    error_message = "nodes: 3 or 5 members."
  }
}

variable "ami_id" {
  type        = string
  description = "AMI of the nodes (Debian 12)."
}

variable "instance_type" {
  type        = string
  description = "Instance type of the nodes."
}

variable "volume_size_gb" {
  type        = number
  description = "Size of each data volume, in GiB."
}

variable "kms_key_arn" {
  type        = string
  description = "KMS key encrypting the volumes."
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security groups of the nodes' ENIs."
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

variable "artifact_url" {
  type        = string
  description = "s3:// URL of the Samsa tarball."
}

variable "aws_region" {
  type        = string
  description = "Region, for the AWS CLI at boot."
}
