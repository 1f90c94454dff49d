# Optional DNS records when the domain's zone is in Route 53 of this account;
# otherwise create the same records at your DNS provider (README, DNS).

resource "aws_route53_record" "notebook" {
  for_each = var.route53_zone_id == null ? toset([]) : toset(flatten([for d in var.domain_names : ["${d}|A", "${d}|AAAA"]]))
  zone_id  = var.route53_zone_id
  name     = split("|", each.key)[0]
  type     = split("|", each.key)[1]

  alias {
    name                   = module.cdn.domain_name
    zone_id                = module.cdn.hosted_zone_id
    evaluate_target_health = false
  }
}

resource "aws_route53_record" "api_origin" {
  count   = var.route53_zone_id != null && var.api_origin_domain != null ? 1 : 0
  zone_id = var.route53_zone_id
  name    = var.api_origin_domain
  type    = "A"

  alias {
    name                   = module.compute.alb_dns_name
    zone_id                = module.compute.alb_zone_id
    evaluate_target_health = true
  }
}
