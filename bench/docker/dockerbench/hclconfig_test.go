package main

import "testing"

// TestDeploymentHCL pins the configuration the benchmark applies: N instances with
// for_each, rules off, each publishing its own port, on one managed network.
func TestDeploymentHCL(t *testing.T) {
	d := deployment{Name: "dockerbench_0a1b2c3d_3", N: 3, BasePort: 17000, Network: "dockerbench-0a1b2c3d-n3"}
	checkGolden(t, "deployment-n3.hcl", d.hcl())
}
