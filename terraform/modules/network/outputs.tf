output "vpc_id" {
  description = "The VPC holding the cluster."
  value       = local.vpc_id
}

output "private_subnets" {
  description = "Private subnets as objects { id, az, cidr }, in zone order."
  value       = local.private_subnets
}
