variable "name" {
  description = "Prefix for every resource name."
  type        = string
}

variable "bucket_name" {
  description = "Bucket holding the front end's build."
  type        = string
}

variable "bucket_arn" {
  description = "ARN of that bucket (its policy lets this distribution read it)."
  type        = string
}

variable "bucket_regional_domain_name" {
  description = "Regional domain name of that bucket."
  type        = string
}

variable "alb_origin_domain" {
  description = "Domain CloudFront uses to reach the load balancer: its own DNS name, or a custom name covered by the load balancer's certificate."
  type        = string
}

variable "alb_origin_https" {
  description = "Whether CloudFront talks HTTPS to the load balancer (needs the load balancer's certificate to cover alb_origin_domain)."
  type        = bool
}

variable "domain_names" {
  description = "Custom domain names of the notebook (CloudFront aliases); empty uses the *.cloudfront.net name."
  type        = list(string)
}

variable "certificate_arn" {
  description = "ACM certificate in us-east-1 covering domain_names; null when domain_names is empty."
  type        = string
}

variable "price_class" {
  description = "CloudFront price class: which edge locations serve the notebook."
  type        = string
}
