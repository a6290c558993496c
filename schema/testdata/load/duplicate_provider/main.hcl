provider "docker" {}
provider "docker" {
  alias = "dmz"
}
provider "docker" {
  alias = "dmz"
}
provider "docker" {
}
