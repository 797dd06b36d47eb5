# The cluster's secrets, one Secrets Manager secret each under "<name>/", encrypted with the
# cluster's KMS key:
#   ca.pem            the CA certificate clients and brokers trust     (operator puts it)
#   broker-N.pem      broker N's key and certificate (ssl.keystore)    (operator puts it)
#   admin-password    SCRAM password of the super user admin           (random, made here)
#   zookeeper-digest  the brokers' ZooKeeper login, user:password      (random, made here)
# The TLS material is made outside Terraform (scripts/samsa-certs.sh) so that no private key
# ever sits in the Terraform state. The two passwords do sit in the state: keep the state in an
# encrypted backend (S3 with SSE-KMS), or put your own values with put-secret-value; Terraform
# ignores later changes to them.

resource "aws_kms_key" "secrets" {
  description             = "${var.name}: Samsa secrets and data volumes"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_kms_alias" "secrets" {
  name          = "alias/${var.name}-samsa"
  target_key_id = aws_kms_key.secrets.key_id
}

locals {
  operator_secrets = concat(["ca.pem"], [for id in var.broker_ids : "broker-${id}.pem"])
}

resource "aws_secretsmanager_secret" "operator" {
  for_each                = toset(local.operator_secrets)
  name                    = "${var.name}/${each.value}"
  description             = "Samsa ${var.name}: ${each.value} (put with aws secretsmanager put-secret-value)"
  kms_key_id              = aws_kms_key.secrets.arn
  recovery_window_in_days = var.recovery_days
}

resource "random_password" "admin" {
  length  = 32
  special = false
}

resource "random_password" "zookeeper" {
  length  = 32
  special = false
}

resource "aws_secretsmanager_secret" "admin_password" {
  name                    = "${var.name}/admin-password"
  description             = "Samsa ${var.name}: SCRAM password of the super user admin"
  kms_key_id              = aws_kms_key.secrets.arn
  recovery_window_in_days = var.recovery_days
}

resource "aws_secretsmanager_secret_version" "admin_password" {
  secret_id     = aws_secretsmanager_secret.admin_password.id
  secret_string = random_password.admin.result
  lifecycle {
    ignore_changes = [secret_string]
  }
}

resource "aws_secretsmanager_secret" "zookeeper_digest" {
  name                    = "${var.name}/zookeeper-digest"
  description             = "Samsa ${var.name}: the brokers' ZooKeeper digest login (zookeeper.auth.digest)"
  kms_key_id              = aws_kms_key.secrets.arn
  recovery_window_in_days = var.recovery_days
}

resource "aws_secretsmanager_secret_version" "zookeeper_digest" {
  secret_id     = aws_secretsmanager_secret.zookeeper_digest.id
  secret_string = "samsa:${random_password.zookeeper.result}"
  lifecycle {
    ignore_changes = [secret_string]
  }
}
