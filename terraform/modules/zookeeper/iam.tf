# ZooKeeper nodes read no secret: the role may fetch the Samsa artifact and use Session Manager.

resource "aws_iam_role" "node" {
  name = "${var.name}-zookeeper"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "ssm" {
  role       = aws_iam_role.node.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_role_policy" "artifact" {
  name = "samsa-artifact"
  role = aws_iam_role.node.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = ["arn:aws:s3:::${trimprefix(var.artifact_url, "s3://")}"]
    }]
  })
}

resource "aws_iam_instance_profile" "node" {
  name = "${var.name}-zookeeper"
  role = aws_iam_role.node.name
}
