gateway "shop" {
}

waf "shop" {
}
