# Values the mocked AWS provider returns for data sources whose shape the
# configuration relies on (zone names are indexed, JSON is parsed).
mock_data "aws_availability_zones" {
  defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
}

mock_data "aws_caller_identity" {
  defaults = { account_id = "123456789012" }
}

mock_data "aws_region" {
  defaults = { name = "eu-west-1" }
}

mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}

mock_data "aws_secretsmanager_secret_version" {
  defaults = { secret_string = "0123456789abcdef0123456789abcdef" }
}
