package command

import (
	"context"
	"fmt"

	"github.com/rampart-sec/rampart/engine"
	"github.com/rampart-sec/rampart/engine/state"
)

func init() {
	register(&cmd{
		name:     "state",
		synopsis: "Inspect or edit the state: list, show, rm",
		usage: `Usage: rampart state SUBCOMMAND [options] [ADDRESS...]

Subcommands:
  list            list the addresses of every appliance in state
  show ADDRESS    show one appliance's recorded attributes (sensitive values hidden)
  rm ADDRESS...   forget appliances: rampart stops managing them but they keep running
                  (use "rampart import" to adopt them again)

Options (rm):
  -lock-timeout=DUR   wait up to DUR for the state lock

Examples:
  rampart state list
  rampart state show 'waf.edge["eu"]'
  rampart state rm waf.shop
`,
		run: runState,
	})
}

func runState(m *meta, args []string) int {
	c := commands["state"]
	if len(args) == 0 || args[0] == "-help" || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprint(m.streams.Out, c.usage)
		if len(args) == 0 {
			return 1
		}
		return 0
	}
	sub, rest := args[0], args[1:]
	fs := c.flags(m)
	fs.DurationVar(&m.lockTimeout, "lock-timeout", 0, "")
	if done, code := c.parse(m, fs, rest); done {
		return code
	}
	switch sub {
	case "list":
		s, code := m.readState()
		if s == nil {
			return code
		}
		for _, inst := range s.Instances {
			m.printf("%s\n", inst.Address)
		}
		return 0
	case "show":
		if fs.NArg() != 1 {
			return m.errorf("state show takes one address, e.g. rampart state show waf.shop")
		}
		s, code := m.readState()
		if s == nil {
			return code
		}
		inst := s.Instance(fs.Arg(0))
		if inst == nil {
			return m.errorf("%s is not in state; \"rampart state list\" shows what is", fs.Arg(0))
		}
		if err := state.RenderInstance(m.streams.Out, inst); err != nil {
			return m.errorf("render %s: %v", inst.Address, err)
		}
		return 0
	case "rm":
		if fs.NArg() == 0 {
			return m.errorf("state rm needs at least one address, e.g. rampart state rm waf.shop")
		}
		return stateRemove(m, fs.Args())
	}
	return m.errorf("unknown state subcommand %q: use list, show or rm", sub)
}

func stateRemove(m *meta, addrs []string) int {
	e, ok := m.openWith(engine.Options{})
	if !ok {
		return 1
	}
	defer e.Close()
	ctx := context.Background()
	unlock, code := m.lock(e, "state rm")
	if unlock == nil {
		return code
	}
	defer unlock()
	s, err := e.States().Load(ctx)
	if err != nil {
		return m.errorf("read state: %v", err)
	}
	for _, a := range addrs {
		if s.Instance(a) == nil {
			return m.errorf("%s is not in state; nothing was removed", a)
		}
	}
	for _, a := range addrs {
		e.States().RemoveInstance(a)
	}
	if err := e.States().Persist(ctx); err != nil {
		return m.errorf("save state: %v", err)
	}
	for _, a := range addrs {
		m.printf("Removed %s from state. It keeps running; rampart no longer manages it.\n", a)
	}
	return 0
}
