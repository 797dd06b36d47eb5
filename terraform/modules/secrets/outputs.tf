output "prefix" {
  description = "Secret names are <prefix>/<secret>."
  value       = var.name
}

output "kms_key_arn" {
  description = "KMS key of the secrets and the data volumes."
  value       = aws_kms_key.secrets.arn
}

output "admin_password_arn" {
  description = "The admin password secret."
  value       = aws_secretsmanager_secret.admin_password.arn
}

output "broker_secret_arns" {
  description = "Every secret a broker reads at boot."
  value = concat(
    [for s in aws_secretsmanager_secret.operator : s.arn],
    [aws_secretsmanager_secret.admin_password.arn, aws_secretsmanager_secret.zookeeper_digest.arn],
  )
}
