# Private names for every node (zk1.<zone>, kafka1.<zone>): configs, advertised listeners and
# broker certificates use names, so they survive a change of the address plan.

resource "aws_route53_zone" "private" {
  name = var.zone_name
  vpc {
    vpc_id = var.vpc_id
  }
}

resource "aws_route53_record" "node" {
  for_each = var.records
  zone_id  = aws_route53_zone.private.zone_id
  name     = "${each.key}.${var.zone_name}"
  type     = "A"
  ttl      = 60
  records  = [each.value]
}
