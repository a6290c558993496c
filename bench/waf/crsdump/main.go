// Command crsdump writes the OWASP Core Rule Set embedded in the Go module
// github.com/corazawaf/coraza-coreruleset/v4 to a directory, so that a second engine
// (nginx + ModSecurity 3 in `make bench-waf`) runs exactly the rules rampart-waf embeds.
//
// Layout written under -out:
//
//	crs-setup.conf.example
//	coraza.conf-recommended
//	rules/REQUEST-*.conf, RESPONSE-*.conf, *.data
package main

import (
	"flag"
	"fmt"
	"os"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
)

func main() {
	out := flag.String("out", "", "directory to write the rule set into (required; created if missing)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: crsdump -out DIR")
		os.Exit(2)
	}
	n, err := dump(coreruleset.FS, *out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "crsdump:", err)
		os.Exit(1)
	}
	fmt.Printf("crsdump: wrote %d CRS files to %s\n", n, *out)
}
