// Package version holds rampart's version, shared by the CLI, the provider plugins and the
// runtimes so that a plan, a state file and a runtime's /status all name the same build.
package version

// Version is overridden at build time with
// -ldflags "-X github.com/rampart-sec/rampart/version.Version=..." (see the Makefile).
var Version = "0.1.0-dev"
