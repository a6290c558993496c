waf "shop" {
listen {
http = 80
    https=443
}
  server_pool "app" {
      load_balancing="roundrobin"
    member {
    address = "10.0.0.1:80"
        weight = 2
 }
  }
docker {
provider=docker.dmz
ports = { 80 = 80, 443 = 443 }
}
}
