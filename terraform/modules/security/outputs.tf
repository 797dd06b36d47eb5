output "zookeeper_security_group_id" {
  description = "Group of the ZooKeeper nodes."
  value       = aws_security_group.zookeeper.id
}

output "broker_security_group_id" {
  description = "Group of the brokers."
  value       = aws_security_group.broker.id
}

output "admin_security_group_id" {
  description = "Group to attach to admin hosts."
  value       = aws_security_group.admin.id
}
