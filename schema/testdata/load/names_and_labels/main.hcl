waf "my shop" {
}
gateway {
}
scanner "a" "b" {
}
waf "x" {
  local "extra" {}
}
