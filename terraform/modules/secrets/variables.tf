variable "name" {
  type        = string
  description = "Cluster name: the secrets are named <name>/<secret>."
}

variable "broker_ids" {
  type        = list(string)
  description = "Broker ids; broker N gets the secret broker-N.pem."
}

variable "recovery_days" {
  type        = number
  description = "Recovery window of deleted secrets, in days."
}
