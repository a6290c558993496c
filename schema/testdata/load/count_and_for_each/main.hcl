waf "shop" {
  count    = 2
  for_each = toset(["a", "b"])
}
