variable "name" {
  type        = string
  description = "Name prefix of the security groups."
}

variable "vpc_id" {
  type        = string
  description = "VPC the groups belong to."
}

variable "client_cidrs" {
  type        = list(string)
  description = "CIDRs allowed on the client listener (9093)."
}

variable "enable_ssh" {
  type        = bool
  description = "Open port 22 to ssh_cidrs."
  default     = false
}

variable "monitoring_cidr" {
  type        = string
  description = "CIDR allowed on the brokers' metrics port; null: no rule."
  default     = null
}

variable "metrics_port" {
  type        = number
  description = "Port of the brokers' metrics.listener."
  default     = 9404
}

variable "ssh_cidrs" {
  type        = list(string)
  description = "CIDRs allowed on port 22 when enable_ssh is true."
  default     = []
}
