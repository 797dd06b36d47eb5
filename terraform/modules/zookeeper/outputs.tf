output "instance_ids" {
  description = "Instance of each member, by myid."
  value       = { for id, i in aws_instance.node : id => i.id }
}

output "zookeeper_servers" {
  description = "The id=host list every member's zoo.cfg is made from."
  value       = local.zookeeper_servers
}
