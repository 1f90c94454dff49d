# What the deployment stores: the server image (ECR), the front end's files
# (S3, private, read by CloudFront only), the notebooks (DynamoDB).

# --- image repository --------------------------------------------------------

resource "aws_ecr_repository" "server" {
  name = "${var.name}/server"
  # Tags name one build for good (deploy-backend.sh tags with the commit), so
  # a running task definition never changes under ECS's feet.
  image_tag_mutability = "IMMUTABLE"
  force_delete         = !var.deletion_protection

  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_ecr_lifecycle_policy" "server" {
  repository = aws_ecr_repository.server.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Drop untagged layers after a day"
        selection    = { tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = 1 }
        action       = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the newest tagged images"
        selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = var.image_retention_count }
        action       = { type = "expire" }
      },
    ]
  })
}

# --- front end bucket --------------------------------------------------------

resource "aws_s3_bucket" "frontend" {
  bucket        = var.frontend_bucket_name
  force_destroy = !var.deletion_protection
}

# CloudFront reads through origin access control (bucket policy in the cdn
# module); nobody reads the bucket directly.
resource "aws_s3_bucket_public_access_block" "frontend" {
  bucket                  = aws_s3_bucket.frontend.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "frontend" {
  bucket = aws_s3_bucket.frontend.id
  rule {
    object_ownership = "BucketOwnerEnforced" # ACLs off
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "frontend" {
  bucket = aws_s3_bucket.frontend.id
  rule {
    # SSE-S3: CloudFront's origin access control cannot read SSE-KMS objects
    # without extra key policy, and these files are public through the CDN anyway.
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# Versioning lets a bad front-end deploy be rolled back; old versions of the
# hashed assets expire after a month.
resource "aws_s3_bucket_versioning" "frontend" {
  bucket = aws_s3_bucket.frontend.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "frontend" {
  bucket = aws_s3_bucket.frontend.id
  rule {
    id     = "expire-old-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
  depends_on = [aws_s3_bucket_versioning.frontend]
}

# --- notebook table ----------------------------------------------------------

# Matches the DynamoDB storage plugin (plugins/storage-dynamodb/src/table.ts):
# partition key `pk` (the owner's user id, so "list my notebooks" is one Query),
# sort key `sk` (`nb#<id>` for a notebook's head, `body#...` for its chunks,
# `hist#...` for versions; the share index lives in its own partitions).
# On-demand billing: no capacity to plan, nothing to pay while idle.
resource "aws_dynamodb_table" "notebooks" {
  name                        = var.table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = var.kms_key_arn != null
    kms_key_arn = var.kms_key_arn
  }
}
