# Written by bench/docker/dockerbench: 3 WAF containers for make bench-docker.
rampart {
  backend "local" {
    path = "rampart.state"
  }
}

locals {
  ids = toset([for i in range(3) : format("%04d", i)])
}

waf "dockerbench_0a1b2c3d_3" {
  for_each = local.ids

  listen {
    address = "0.0.0.0"
    http    = 8080
  }
  # Reached by rampart (and the floor) on the container's address; not published.
  admin {
    listen = "0.0.0.0:9901"
  }
  server_pool "app" {
    member {
      address = "127.0.0.1:9"
    }
  }
  site "default" {
    pool = "app"
    policy {
      mode = "off"
    }
  }

  docker {
    ports = { (17000 + tonumber(each.key)) = 8080 }
    managed_network {
      name = "dockerbench-0a1b2c3d-n3"
    }
  }
}
