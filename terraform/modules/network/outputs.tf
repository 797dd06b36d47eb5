output "vpc_id" {
  description = "The VPC holding the cluster."
  value       = local.vpc_id
  precondition {
    condition     = var.create_vpc || (var.existing_vpc_id != null && length(var.existing_private_subnet_ids) == 3)
    error_message = "create_vpc = false needs existing_vpc_id and three existing_private_subnet_ids, one per zone."
  }
}

output "private_subnets" {
  description = "Private subnets as objects { id, az, cidr }, in zone order."
  value       = local.private_subnets
}
