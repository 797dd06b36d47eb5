output "bootstrap_servers" {
  description = "bootstrap.servers for clients inside the VPC (SASL_SSL, SCRAM-SHA-256/512)."
  value       = local.bootstrap_servers
}

output "zookeeper_connect" {
  description = "zookeeper.connect of the brokers, chroot included (reachable from the admin security group)."
  value       = local.zookeeper_connect
}

output "admin_security_group_id" {
  description = "Attach to an admin host: it may reach ZooKeeper (2181) and the client listener (9093)."
  value       = module.security.admin_security_group_id
}

output "secrets_prefix" {
  description = "Secrets Manager names start with this: ca.pem, broker-N.pem, admin-password, zookeeper-digest."
  value       = module.secrets.prefix
}

output "admin_password_secret_arn" {
  description = "The secret holding the super user admin's SCRAM password."
  value       = module.secrets.admin_password_arn
}

output "broker_private_ips" {
  description = "Fixed private address of each broker, by broker.id."
  value       = { for id, n in local.broker_nodes : id => n.private_ip }
}

output "zookeeper_private_ips" {
  description = "Fixed private address of each ZooKeeper node, by myid."
  value       = { for id, n in local.zookeeper_nodes : id => n.private_ip }
}
