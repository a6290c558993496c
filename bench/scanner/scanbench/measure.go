package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/rampart-sec/rampart/runtime/scanner/lab"
	"github.com/rampart-sec/rampart/runtime/scanner/results"
)

type bench struct {
	scanner, nmap string
	lab           *lab.Lab
}

// found is what one program found: per host address, open port → service family.
type found map[string]map[int]string

type measurement struct {
	wall   time.Duration
	peakMB float64
	found  found
}

func (b *bench) runCase(c benchCase) error {
	var addrs []string
	for _, h := range c.hosts {
		addrs = append(addrs, b.lab.Host(h).Addr.String())
	}
	nmapArgs := append(append([]string{}, c.nmapArgs...), "-oX", "-")
	if c.ports == "all" {
		nmapArgs = append(nmapArgs, "-p-")
	} else {
		nmapArgs = append(nmapArgs, "-p", c.ports)
	}
	nmap, err := measure(b.nmap, append(nmapArgs, addrs...), parseNmapXML)
	if err != nil {
		return fmt.Errorf("nmap: %w", err)
	}
	rampartArgs := append([]string{"scan", "-json", "-ports", c.ports}, c.rampartArgs...)
	if !c.services {
		rampartArgs = append(rampartArgs, "-services=false")
	}
	rampart, err := measure(b.scanner, append(rampartArgs, addrs...), parseRampartJSON)
	if err != nil {
		return fmt.Errorf("rampart-scanner: %w", err)
	}
	samePorts, sameServices := compare(nmap.found, rampart.found)
	if !samePorts {
		fmt.Fprintf(os.Stderr, "  open ports differ:\n    nmap    %v\n    rampart %v\n", nmap.found, rampart.found)
	}
	if c.services && !sameServices {
		fmt.Fprintf(os.Stderr, "  services differ:\n    nmap    %v\n    rampart %v\n", nmap.found, rampart.found)
	}
	for _, row := range []struct {
		system string
		m      measurement
	}{{"nmap", nmap}, {"rampart-scanner", rampart}} {
		line := fmt.Sprintf("BenchmarkScanner/system=%s/%s 1 %.3f wall_s %.1f peak_rss_MB %d open_ports %d same_open_ports",
			row.system, c.name, row.m.wall.Seconds(), row.m.peakMB, countPorts(row.m.found), boolInt(samePorts))
		if c.services {
			line += fmt.Sprintf(" %d same_services", boolInt(sameServices))
		}
		fmt.Println(line)
	}
	fmt.Fprintf(os.Stderr, "  nmap %.2fs %.0f MB, rampart-scanner %.2fs %.0f MB (%.1f× faster)\n",
		nmap.wall.Seconds(), nmap.peakMB, rampart.wall.Seconds(), rampart.peakMB, nmap.wall.Seconds()/rampart.wall.Seconds())
	return nil
}

// measure runs one scan, returning its wall time, peak RSS (from wait4's rusage) and findings.
func measure(bin string, args []string, parse func([]byte) (found, error)) (measurement, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return measurement{}, fmt.Errorf("%s %s: %w\n%s", bin, strings.Join(args, " "), err, stderr.String())
	}
	m := measurement{wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.peakMB = float64(ru.Maxrss) / 1024 // Linux reports kilobytes
	}
	f, err := parse(stdout.Bytes())
	if err != nil {
		return m, err
	}
	m.found = f
	return m, nil
}

func parseRampartJSON(data []byte) (found, error) {
	var out struct {
		Summary results.Summary `json:"summary"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("decode rampart-scanner JSON: %w", err)
	}
	f := found{}
	for _, h := range out.Summary.Hosts {
		f[h.Addr] = map[int]string{}
		for _, p := range h.Open {
			f[h.Addr][p.Port] = serviceFamily(p.Service)
		}
	}
	return f, nil
}

// nmapRun is the part of nmap's XML output (-oX) the comparison reads.
type nmapRun struct {
	Hosts []struct {
		Addresses []struct {
			Addr string `xml:"addr,attr"`
		} `xml:"address"`
		Ports []struct {
			PortID int `xml:"portid,attr"`
			State  struct {
				State string `xml:"state,attr"`
			} `xml:"state"`
			Service struct {
				Name   string `xml:"name,attr"`
				Tunnel string `xml:"tunnel,attr"`
				Method string `xml:"method,attr"` // "probed", or "table": a guess from the port number
			} `xml:"service"`
		} `xml:"ports>port"`
	} `xml:"host"`
}

func parseNmapXML(data []byte) (found, error) {
	var run nmapRun
	if err := xml.Unmarshal(data, &run); err != nil {
		return nil, fmt.Errorf("decode nmap XML: %w", err)
	}
	f := found{}
	for _, h := range run.Hosts {
		if len(h.Addresses) == 0 {
			continue
		}
		addr := h.Addresses[0].Addr
		f[addr] = map[int]string{}
		for _, p := range h.Ports {
			if p.State.State != "open" {
				continue
			}
			name := p.Service.Name
			if p.Service.Tunnel == "ssl" {
				name = "ssl/" + name
			}
			if name == "unknown" || name == "tcpwrapped" || p.Service.Method != "probed" {
				name = ""
			}
			f[addr][p.PortID] = serviceFamily(name)
		}
	}
	return f, nil
}

// compare says whether both found the same open ports, and the same service on each port
// that nmap named (nmap's guess by port number for unidentified ports is not a finding).
func compare(nmap, rampart found) (samePorts, sameServices bool) {
	samePorts, sameServices = true, true
	for _, addr := range slices.Sorted(maps.Keys(union(nmap, rampart))) {
		n, r := nmap[addr], rampart[addr]
		if !slices.Equal(slices.Sorted(maps.Keys(n)), slices.Sorted(maps.Keys(r))) {
			samePorts = false
		}
		for port, service := range n {
			if service != "" && r[port] != service {
				sameServices = false
			}
		}
	}
	return samePorts, sameServices
}

func union(a, b found) found {
	out := found{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func countPorts(f found) int {
	n := 0
	for _, ports := range f {
		n += len(ports)
	}
	return n
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
