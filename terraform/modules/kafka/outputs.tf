output "instance_ids" {
  description = "Instance of each broker, by broker.id."
  value       = { for id, i in aws_instance.node : id => i.id }
}
