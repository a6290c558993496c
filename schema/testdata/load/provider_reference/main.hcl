waf "a" {
  docker { provider = "docker.dmz" }
}
waf "b" {
  docker { provider = hyperv.lab }
}
waf "c" {
  docker { provider = docker.dmz.extra }
}
