waf "shop" {
  lisen = { http = 80 }
}
