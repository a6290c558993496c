waf "shop" {
  lisen {
    http = 80
  }
  local {}
}
