# The ZooKeeper ensemble: node N (its key in var.nodes) has myid N, a fixed address on an ENI
# made before the instance, and an encrypted data volume (dataDir) that outlives the instance.
# All of them are kept when an instance is replaced, so server.N lines never change.

locals {
  zookeeper_servers = join(",", [for id, n in var.nodes : "${id}=${n.name}.${var.zone_name}"])
}

resource "aws_network_interface" "node" {
  for_each        = var.nodes
  subnet_id       = each.value.subnet_id
  private_ips     = [each.value.private_ip]
  security_groups = var.security_group_ids
  tags            = { Name = "${var.name}-${each.value.name}" }
}

resource "aws_ebs_volume" "data" {
  for_each          = var.nodes
  availability_zone = each.value.az
  size              = var.volume_size_gb
  type              = "gp3"
  encrypted         = true
  kms_key_id        = var.kms_key_arn
  tags              = { Name = "${var.name}-${each.value.name}-data" }
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
    role              = "zk"
    node_id           = each.key
    node_name         = each.value.name
    private_ip        = each.value.private_ip
    private_dns       = "${each.value.name}.${var.zone_name}"
    availability_zone = each.value.az
    zookeeper_servers = local.zookeeper_servers
    zookeeper_connect = ""
    broker_count      = 0
    data_volume_id    = aws_ebs_volume.data[each.key].id
    secrets_prefix    = ""
    artifact_url      = var.artifact_url
    aws_region        = var.aws_region
    metrics_port      = ""
  })

  tags = { Name = "${var.name}-${each.value.name}", "samsa:role" = "zookeeper" }

  # A new AMI or boot script must not replace the whole ensemble at once: replace one node at
  # a time with `terraform apply -replace=...` (see terraform/README.md).
  lifecycle {
    ignore_changes = [ami, user_data]
  }
}

resource "aws_volume_attachment" "data" {
  for_each    = var.nodes
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.data[each.key].id
  instance_id = aws_instance.node[each.key].id
  # A replaced instance stops before its volume is detached, so the file system is clean.
  stop_instance_before_detaching = true
}
