variable "name" {
  type        = string
  description = "Name prefix of the network resources."
}

variable "create_vpc" {
  type        = bool
  description = "Make the VPC (true) or use an existing one (false)."
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR of the VPC made here."
}

variable "availability_zones" {
  type        = list(string)
  description = "One private subnet per zone (when the VPC is made here)."
}

variable "existing_vpc_id" {
  type        = string
  description = "The VPC used when create_vpc is false."
  default     = null
  validation {
    condition     = var.existing_vpc_id == null || can(regex("^vpc-[0-9a-f]+$", var.existing_vpc_id))
    error_message = "existing_vpc_id: a VPC id (vpc-...)."
  }
}

variable "existing_private_subnet_ids" {
  type        = list(string)
  description = "The private subnets used when create_vpc is false."
  default     = []
}
