variable "name" {
  description = "Prefix for every resource name."
  type        = string
}

variable "table_name" {
  description = "Name of the notebook DynamoDB table (the server's DYNAMODB_TABLE)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.table_name))
    error_message = "table_name must be 3 to 255 characters of letters, digits, '_', '-' and '.'."
  }
}

variable "frontend_bucket_name" {
  description = "Globally unique name of the S3 bucket holding the front end's build."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.frontend_bucket_name)) && !can(regex("\\.\\.", var.frontend_bucket_name))
    error_message = "frontend_bucket_name must be a valid S3 bucket name: 3 to 63 lowercase letters, digits, '-' and '.'."
  }
}

variable "deletion_protection" {
  description = "Protect the table from deletion, and keep the image repository and bucket when they still hold images or files."
  type        = bool
}

variable "image_retention_count" {
  description = "How many tagged images the repository keeps; older ones are expired."
  type        = number

  validation {
    condition     = var.image_retention_count >= 2 && var.image_retention_count <= 1000
    error_message = "image_retention_count must be between 2 (room to roll back) and 1000."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for the table's encryption at rest; null uses the AWS-owned key (no charge)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key ARN."
  }
}
