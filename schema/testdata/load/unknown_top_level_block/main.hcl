wafs "shop" {
}
