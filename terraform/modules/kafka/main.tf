# The brokers: broker N (its key in var.nodes) has broker.id N, broker.rack = its zone, a fixed
# address on an ENI made before the instance, and an encrypted log volume (log.dirs) that
# outlives the instance. Replacing an instance (a new AMI, a new Samsa) keeps all three: the
# new instance mounts the same log volume, registers as the same broker and catches up.

resource "aws_network_interface" "node" {
  for_each        = var.nodes
  subnet_id       = each.value.subnet_id
  private_ips     = [each.value.private_ip]
  security_groups = var.security_group_ids
  tags            = { Name = "${var.name}-${each.value.name}" }
}

resource "aws_ebs_volume" "logs" {
  for_each          = var.nodes
  availability_zone = each.value.az
  size              = var.volume_size_gb
  type              = "gp3"
  encrypted         = true
  kms_key_id        = var.kms_key_arn
  tags              = { Name = "${var.name}-${each.value.name}-logs" }
  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_instance" "node" {
  for_each             = var.nodes
  ami                  = var.ami_id
  instance_type        = var.instance_type
  key_name             = var.key_name
  iam_instance_profile = aws_iam_instance_profile.node.name

  network_interface {
    device_index          = 0
    network_interface_id  = aws_network_interface.node[each.key].id
    delete_on_termination = false
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = 16
    encrypted   = true
    kms_key_id  = var.kms_key_arn
  }

  user_data = templatefile("${path.module}/../../templates/user_data.sh.tftpl", {
    role              = "broker"
    node_id           = each.key
    node_name         = each.value.name
    private_ip        = each.value.private_ip
    private_dns       = "${each.value.name}.${var.zone_name}"
    availability_zone = each.value.az
    zookeeper_servers = ""
    zookeeper_connect = var.zookeeper_connect
    broker_count      = length(var.nodes)
    data_volume_id    = aws_ebs_volume.logs[each.key].id
    secrets_prefix    = var.secrets_prefix
    artifact_url      = var.artifact_url
    aws_region        = var.aws_region
    metrics_port      = var.metrics_port == null ? "" : tostring(var.metrics_port)
  })

  tags = { Name = "${var.name}-${each.value.name}", "samsa:role" = "broker" }

  # Brokers are replaced one at a time (terraform apply -replace=...), never all at once.
  lifecycle {
    ignore_changes = [ami, user_data]
  }
}

resource "aws_volume_attachment" "logs" {
  for_each    = var.nodes
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.logs[each.key].id
  instance_id = aws_instance.node[each.key].id
  # A replaced instance stops before its volume is detached, so the file system is clean.
  stop_instance_before_detaching = true
}
