package local

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/rampart-sec/rampart/providers/protocol"
	"github.com/rampart-sec/rampart/providers/runtimes"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Import adopts a runtime process that already runs: the ID is its pid ("1234" or
// "pid:1234"). The configuration comes from the file named by its -config argument.
//
// The request does not carry the runtime's cty type, so the value is decoded with the
// type implied by the JSON itself (objects, tuples, numbers); the engine converts it to
// the kind's schema type.
func (p *placement) Import(_ context.Context, req *protocol.ImportRequest) *protocol.ImportResponse {
	fail := func(summary, format string, args ...any) *protocol.ImportResponse {
		return &protocol.ImportResponse{Diagnostics: protocol.Diagnostics{}.Errorf(summary, format, args...)}
	}
	kind, diags := runtimes.LookupKind("local", req.Instance.Kind)
	if diags.HasErrors() {
		return &protocol.ImportResponse{Diagnostics: diags}
	}
	pid, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(req.ID), "pid:"))
	if err != nil || pid <= 0 {
		return fail("invalid import ID", "%q is not a pid. Use the process id of a running %s, e.g. 1234 or pid:1234.", req.ID, kind.Binary)
	}
	args := processCmdline(pid)
	if args == nil {
		return fail("no such process", "No process with pid %d is running.", pid)
	}
	procDir := "/proc/" + strconv.Itoa(pid)
	// argv[0] names the program as started; the executable's name covers a binary
	// started under another argv[0].
	exe, _ := os.Readlink(procDir + "/exe")
	if program := filepath.Base(args[0]); program != kind.Binary && filepath.Base(exe) != kind.Binary {
		return fail("not a "+kind.Binary+" process", "pid %d runs %s, not %s.", pid, program, kind.Binary)
	}
	configPath, ok := configArg(args[1:])
	if !ok {
		return fail("no configuration file", "%s (pid %d) was not started with -config PATH, so there is no configuration to import.", kind.Binary, pid)
	}
	if !filepath.IsAbs(configPath) {
		cwd, err := os.Readlink(procDir + "/cwd")
		if err != nil {
			return fail("cannot find the configuration file", "%s is relative and the working directory of pid %d is unreadable: %v.", configPath, pid, err)
		}
		configPath = filepath.Join(cwd, configPath)
	}

	data, err := os.ReadFile(configPath)
	if err != nil {
		return fail("cannot read the configuration file", "%v.", err)
	}
	parsed, err := kind.Parse(data)
	if err != nil {
		return &protocol.ImportResponse{Diagnostics: runtimes.ConfigErrors(kind, err)}
	}
	typ, err := ctyjson.ImpliedType(data)
	if err != nil {
		return fail("cannot decode the configuration file", "%s: %v.", configPath, err)
	}
	runtime, err := ctyjson.Unmarshal(data, typ)
	if err != nil {
		return fail("cannot decode the configuration file", "%s: %v.", configPath, err)
	}
	// The executable as it runs, even if the file on disk was rebuilt since.
	sum, err := runtimes.FileSHA256(procDir + "/exe")
	if err != nil {
		return fail("cannot read the binary of pid "+strconv.Itoa(pid), "%v.", err)
	}
	logPath, _ := os.Readlink(procDir + "/fd/1")
	if !filepath.IsAbs(logPath) {
		logPath = "" // a pipe or a terminal, not a file
	}
	return &protocol.ImportResponse{Imported: &protocol.InstanceValue{
		Runtime: runtime,
		Placement: shape.Value(cty.NullVal(placementType), map[string]cty.Value{
			attrPID:          cty.NumberIntVal(int64(pid)),
			attrConfigPath:   cty.StringVal(configPath),
			attrLogPath:      cty.StringVal(logPath),
			attrAdmin:        cty.StringVal(parsed.AdminListen()),
			attrBinarySHA256: cty.StringVal(sum),
		}),
	}}
}
