output "zone_id" {
  description = "The private hosted zone."
  value       = aws_route53_zone.private.zone_id
}
