waf "shop" {
}
