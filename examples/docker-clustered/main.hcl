# docker-clustered: the second deployment of the original WAF container guide. The WAF runs
# in a container on one Docker engine (this provider's, through its unix socket) and finds
# its backends on ANOTHER engine, the applications' engine, which it queries over TCP
# (docker_api). It has no Docker socket of its own: it treats the applications' engine as
# a remote host and sends traffic to the ports the applications publish there.
#
# See README.md for what stands in for the second host when you try it on one machine.

rampart {
  backend "local" {
    path = "rampart.state"
  }
}

variable "http_port" {
  type        = number
  default     = 18300
  description = "Host port (on 127.0.0.1) the WAF is published on."
}

variable "network_name" {
  type        = string
  default     = "rampart_clustered"
  description = "Existing Docker network the WAF container joins: the one from which the applications' engine is reachable."
}

variable "apps_engine" {
  type        = string
  default     = "tcp://10.212.0.1:2375"
  description = "The applications' Docker engine, as the WAF container reaches it: tcp://host:2375, or tcp://host:2376 with TLS (see README)."
}

variable "app_image" {
  type        = string
  default     = "rampart-example/app"
  description = "Image of the application containers (any tag); the WAF pools every running container of it on the applications' engine."
}

variable "app_name_contains" {
  type        = string
  default     = "clustered-app"
  description = "Only containers whose name contains this join the pool."
}

waf "shop" {
  listen {
    address = "0.0.0.0"
    http    = 8080
  }

  # In a container the admin API listens on the container's address; it is not published,
  # rampart reaches it on the network.
  admin {
    listen = "0.0.0.0:9901"
  }

  # The engines the docker_discovery pools query. Only the applications' engine: the WAF
  # does not look at the engine it runs on.
  docker_api {
    endpoints = [var.apps_engine]
  }

  server_pool "apps" {
    port = 8080 # the port the applications serve on; the WAF uses the host port it is published on
    docker_discovery {
      image         = var.app_image
      name_contains = var.app_name_contains
    }
    health_check {
      path          = "/"
      interval      = "1s"
      expect_status = 200
    }
  }

  site "shop" {
    pool = "apps"
    policy {
      mode           = "block"
      paranoia_level = 1
    }
  }

  docker {
    network = var.network_name
    ports   = { (var.http_port) = 8080 }
    memory  = "256M"
    cpus    = 1
  }
}

output "waf_url" {
  value = "http://127.0.0.1:${var.http_port}"
}
