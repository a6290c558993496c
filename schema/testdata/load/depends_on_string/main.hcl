waf "shop" {
  depends_on = ["gateway.dc1", gateway.dc2]
}
