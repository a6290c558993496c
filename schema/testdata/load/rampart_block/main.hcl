rampart {
  required_version = [">= 0.1"]
  backend "local" {}
  backend "pg" {}
}
rampart {
}
