package plugin

import (
	"bufio"
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/go-hclog"
)

// parentHelperEnv makes the test binary act as a stand-in rampart process: it starts the
// plugin named by the variable, prints the plugin's pid and waits to be killed.
const parentHelperEnv = "RAMPART_PLUGIN_TEST_PARENT"

func runParentHelper() {
	client, err := Start(context.Background(), Meta{Name: "crashy", Path: os.Getenv(parentHelperEnv)},
		StartOptions{Logger: hclog.NewNullLogger()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(client.Pid())
	// Block until the test kills us; stdin stays open until then.
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	client.Kill()
	os.Exit(0)
}
