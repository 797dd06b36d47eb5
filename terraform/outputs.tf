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

output "metrics_urls" {
  description = "Each broker's Prometheus endpoint (metrics.listener on its private address), by broker.id; empty while monitoring_cidr is null."
  value       = var.monitoring_cidr == null ? {} : { for id, n in local.broker_nodes : id => "http://${n.private_ip}:${var.metrics_port}/metrics" }
}

output "console_ssh_tunnel" {
  description = "How to open the console from a laptop: an SSH tunnel through a bastion inside monitoring_cidr (the metrics port is never public); null while monitoring_cidr is null."
  value       = var.monitoring_cidr == null ? null : "ssh -N -L ${var.metrics_port}:${local.broker_nodes["1"].private_ip}:${var.metrics_port} <user>@<bastion in ${var.monitoring_cidr}>, then open http://localhost:${var.metrics_port}/"
}
