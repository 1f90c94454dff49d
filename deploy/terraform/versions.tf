terraform {
  # 1.9: variable validations that refer to other variables.
  required_version = ">= 1.9.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80.0, < 6.0.0"
    }
  }

  # Partial configuration: bucket, key and region come from backend.hcl
  # (see backend.hcl.example and the README's bootstrap step).
  backend "s3" {}
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge({
      Project    = "reactive-notebook"
      Deployment = var.name
      ManagedBy  = "terraform"
    }, var.tags)
  }
}
