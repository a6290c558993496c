cdr_sensor "vpc" {
  docker {}
  aws_mirror {
    sources { vpc_ids = ["vpc-1"] }
  }
}
