# Offline plan checks (`terraform test`, Terraform 1.9+): the AWS provider is
# mocked, so nothing is created and no credentials are needed. They exercise
# the variables' validations and the wiring that static parsing cannot see.

# Run alone (the jest test passes -filter): example.tftest.hcl takes its
# variables from production.tfvars.example on the command line instead.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name                        = "rnb-test"
  aws_region                  = "eu-west-1"
  clerk_frontend_api          = "clerk.notebook.example.com"
  clerk_publishable_key       = "pk_test_abc"
  redis_auth_token_secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rnb-test/redis-auth-AbCdEf"
  notebook_secret_key_arn     = "arn:aws:ssm:eu-west-1:123456789012:parameter/rnb-test/notebook-secret-key"
}

run "defaults_run_in_cluster_mode" {
  command = plan

  assert {
    condition     = length(module.cache) == 1
    error_message = "cluster_mode (the default) must create the cache module."
  }
  assert {
    condition     = output.max_kernels_per_task == 8
    error_message = "A 2048 MiB task should get floor((2048 - 512) / 180) = 8 kernels."
  }
  assert {
    condition     = output.server_environment["NOTEBOOK_STORAGE"] == "dynamodb" && output.server_environment["DYNAMODB_TABLE"] == "rnb-test-notebooks" && output.server_environment["DYNAMODB_CREATE_TABLE"] == "false"
    error_message = "The server must use the Terraform-managed DynamoDB table and never create one."
  }
  assert {
    condition     = contains(output.server_secret_names, "REDIS_AUTH_TOKEN") && !contains(keys(output.server_environment), "REDIS_AUTH_TOKEN")
    error_message = "The Redis token must arrive as a secret, never as a plain variable."
  }
  assert {
    condition     = output.server_environment["SHUTDOWN_GRACE_SECONDS"] == "50"
    error_message = "The server's shutdown grace (50 s) must end before ECS's stop timeout (60 s) sends SIGKILL."
  }
  assert {
    condition     = output.server_environment["NOTEBOOK_AUTH"] == "clerk" && output.server_environment["CLERK_FRONTEND_API"] == "clerk.notebook.example.com"
    error_message = "Clerk settings must reach the server."
  }
}

run "single_instance_without_redis" {
  command = plan

  variables {
    cluster_mode                = false
    redis_auth_token_secret_arn = null
    task_count                  = 1
    autoscaling_min             = 1
    autoscaling_max             = 1
    task_memory                 = 4096
  }

  assert {
    condition     = length(module.cache) == 0 && output.redis_endpoint == null
    error_message = "Without cluster mode there is no cache."
  }
  assert {
    condition     = !contains(keys(output.server_environment), "REDIS_URL") && !contains(output.server_secret_names, "REDIS_AUTH_TOKEN")
    error_message = "Without cluster mode the server must not receive REDIS_URL (it would switch cluster mode on)."
  }
  assert {
    condition     = output.max_kernels_per_task == 19
    error_message = "A 4096 MiB task should get floor((4096 - 512) / 180) = 19 kernels."
  }
}

run "several_tasks_need_cluster_mode" {
  command = plan
  variables {
    cluster_mode                = false
    redis_auth_token_secret_arn = null
    task_count                  = 2
  }
  expect_failures = [var.autoscaling_max]
}

# Every refused input at once: each validation must fire (a listed failure
# that does not happen fails the run, naming it).
run "invalid_inputs_are_refused_with_their_reason" {
  command = plan
  variables {
    redis_auth_token_secret_arn = null                                      # cluster mode without the token secret
    notebook_auth               = "none"                                    # public deployment without auth
    extra_environment           = { ANTHROPIC_API_KEY = "sk-ant-not-here" } # a secret as plain text
    secret_environment          = { ANTHROPIC_API_KEY = "sk-ant-a-value" }  # a value instead of an ARN
    task_cpu                    = 1024
    task_memory                 = 1024                                                 # not a Fargate size for 1 vCPU
    alb_certificate_arn         = "arn:aws:acm:eu-west-1:123456789012:certificate/abc" # without api_origin_domain
    domain_names                = ["notebook.example.com"]
    cloudfront_certificate_arn  = "arn:aws:acm:eu-west-1:123456789012:certificate/abc" # not in us-east-1
  }
  expect_failures = [
    var.redis_auth_token_secret_arn,
    var.notebook_auth,
    var.extra_environment,
    var.secret_environment,
    var.task_memory,
    var.api_origin_domain,
    var.cloudfront_certificate_arn,
  ]
}

run "production_shape_plans" {
  command = plan
  variables {
    domain_names               = ["notebook.example.com"]
    cloudfront_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    alb_certificate_arn        = "arn:aws:acm:eu-west-1:123456789012:certificate/def"
    api_origin_domain          = "origin.notebook.example.com"
    route53_zone_id            = "Z0123456789ABCDEFGHIJ"
    secret_environment         = { ANTHROPIC_API_KEY = "arn:aws:ssm:eu-west-1:123456789012:parameter/rnb-test/anthropic-api-key" }
    redis_node_count           = 2
    alarm_email                = "ops@example.com"
    notebook_egress_rules      = [{ description = "analytics database", cidr = "10.50.0.0/16", port = 5432 }]
  }
  assert {
    condition     = output.url == "https://notebook.example.com"
    error_message = "The URL must be the custom domain."
  }
  assert {
    condition     = output.server_environment["CLERK_AUTHORIZED_PARTIES"] == "https://notebook.example.com"
    error_message = "Authorized parties default to the custom domains."
  }
  assert {
    condition     = length(aws_route53_record.notebook) == 2 && length(aws_route53_record.api_origin) == 1
    error_message = "With a zone, the notebook gets A and AAAA records and the origin an A record."
  }
  assert {
    condition     = length(aws_sns_topic.alarms) == 1
    error_message = "alarm_email creates the alarms topic."
  }
}
