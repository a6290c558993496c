rampart {
  required_version = ">= 0.1"
  backend "local" { path = "rampart.state" }
}

provider "docker" { host = "unix:///var/run/docker.sock" }
provider "docker" {
  alias = "dmz"
  host  = "tcp://10.0.0.5:2376"
  tls {
    ca = file("ca.pem")
  }
}

variable "http_port" {
  type        = number
  default     = 80
  description = "Port of the shop's plain HTTP listener."
  validation {
    condition     = var.http_port > 0 && var.http_port < 65536
    error_message = "The port must be in 1-65535."
  }
}

variable "admin_token" {
  type      = string
  sensitive = true
}

locals {
  shop_hosts = ["shop.example.com", "www.shop.example.com"]
}

waf "shop" {
  listen {
    http  = var.http_port
    https = 443
  }
  events { syslog = "udp://10.0.0.9:514" }

  server_pool "shop_app" {
    load_balancing = "roundrobin"
    member { address = "10.0.1.10:8080" }
    member {
      address = "10.0.1.11:8080"
      weight  = 2
    }
    health_check {
      path          = "/healthz"
      interval      = "5s"
      expect_status = 200
    }
  }

  site "shop" {
    hostnames = local.shop_hosts
    pool      = "shop_app"
    policy {
      mode           = "block"
      paranoia_level = 1
    }
  }

  docker {
    provider       = docker.dmz
    network        = "waf_int"
    ports          = { 80 = 80, 443 = 443 }
    memory         = "512M"
    dockerd_socket = true
  }

  lifecycle {
    prevent_destroy       = true
    create_before_destroy = true
    ignore_changes        = [site, listen.http]
  }
}
