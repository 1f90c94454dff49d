# production.tfvars.example must stay a valid input: the jest test runs
#   terraform test -filter=tests/example.tftest.hcl -var-file=production.tfvars.example
# against the mocked provider.

mock_provider "aws" {
  source = "./tests/mocks"
}

run "production_example_plans" {
  command = plan

  assert {
    condition     = output.url == "https://notebook.example.com" && length(module.cache) == 1
    error_message = "The example describes a cluster-mode deployment on a custom domain."
  }
  assert {
    condition     = output.max_kernels_per_task == 19
    error_message = "The example's 4 GiB tasks should hold 19 kernels, as its comment says."
  }
}
