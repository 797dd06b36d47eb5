# Brokers read their secrets (the CA, the broker keystores, the admin password, the ZooKeeper
# login) and nothing else, fetch the Samsa artifact, and use Session Manager.

resource "aws_iam_role" "node" {
  name = "${var.name}-broker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "ssm" {
  role       = aws_iam_role.node.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_role_policy" "boot" {
  name = "samsa-boot"
  role = aws_iam_role.node.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = var.secret_arns
      },
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [var.kms_key_arn]
      },
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["arn:aws:s3:::${trimprefix(var.artifact_url, "s3://")}"]
      },
    ]
  })
}

resource "aws_iam_instance_profile" "node" {
  name = "${var.name}-broker"
  role = aws_iam_role.node.name
}
