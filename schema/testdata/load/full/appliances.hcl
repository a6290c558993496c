gateway "dc1" {
  count           = 2
  allowed_domains = ["updates.example.com"]
  listen { proxy = 1080 + count.index }
  depends_on = [waf.shop]
}

scanner "dmz" {
  for_each = toset(["a", "b"])
  targets  = ["10.0.${each.key == "a" ? 1 : 2}.0/24"]
  docker {
    memory = "1024M"
  }
}

cdr_sensor "vpc" {
  listen { vxlan = 4789 }
}

output "waf_address" {
  value       = waf.shop.docker.address
  description = "Where the shop WAF listens."
  sensitive   = false
  depends_on  = [gateway.dc1]
}
