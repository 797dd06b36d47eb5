variable "zone_name" {
  type        = string
  description = "Name of the private hosted zone."
}

variable "vpc_id" {
  type        = string
  description = "VPC the zone is visible in."
}

variable "records" {
  type        = map(string)
  description = "Host name (without the zone) to private IPv4 address."
}
