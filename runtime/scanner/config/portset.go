package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Our own lists of commonly exposed TCP ports, written from the IANA registrations and the
// default ports of widely deployed software (not from nmap's frequency data).
var (
	// top100 are the ports of services an attacker looks for first.
	top100 = []uint16{
		7, 9, 13, 21, 22, 23, 25, 26, 37, 53, 79, 80, 81, 88, 106, 110, 111, 113, 119, 135,
		139, 143, 144, 179, 199, 389, 427, 443, 444, 445, 465, 513, 514, 515, 543, 544, 548, 554, 587, 631,
		636, 646, 873, 990, 993, 995, 1025, 1026, 1027, 1433, 1521, 1720, 1723, 1883, 2000, 2049, 2121, 2181, 2375, 2376,
		2379, 3000, 3128, 3268, 3306, 3389, 3986, 4369, 5000, 5060, 5432, 5601, 5666, 5672, 5900, 5984, 6000, 6379, 6443, 7001,
		8000, 8008, 8080, 8081, 8088, 8443, 8888, 9000, 9090, 9092, 9100, 9200, 9300, 9418, 10250, 11211, 27017, 32768, 49152, 50000,
	}
	// extraCommon are further well-known ports above 1024 that top1000 adds to 1-1024.
	extraCommon = []uint16{
		1080, 1099, 1194, 1241, 1311, 1434, 1494, 1500, 1604, 1645, 1701, 1718, 1719, 1755, 1812, 1813, 1900, 2001, 2002, 2082,
		2083, 2086, 2087, 2095, 2096, 2100, 2222, 2301, 2380, 2381, 2483, 2484, 2525, 2598, 2601, 2604, 2809, 2947, 3001, 3050,
		3052, 3128, 3260, 3269, 3283, 3299, 3307, 3333, 3388, 3390, 3478, 3493, 3632, 3689, 3690, 3703, 3784, 3800, 3871, 4000,
		4040, 4045, 4063, 4064, 4125, 4190, 4333, 4343, 4443, 4444, 4445, 4500, 4567, 4662, 4848, 4899, 5001, 5002, 5003, 5004,
		5005, 5006, 5007, 5009, 5010, 5050, 5051, 5061, 5080, 5104, 5190, 5222, 5223, 5269, 5280, 5357, 5353, 5400, 5433, 5500,
		5544, 5555, 5560, 5631, 5632, 5678, 5800, 5801, 5802, 5810, 5811, 5822, 5850, 5901, 5902, 5903, 5904, 5905, 5906, 5910,
		5938, 5985, 5986, 5987, 5988, 5989, 6001, 6002, 6003, 6004, 6005, 6006, 6007, 6009, 6025, 6059, 6080, 6100, 6112, 6346,
		6380, 6389, 6502, 6510, 6543, 6547, 6565, 6566, 6580, 6666, 6667, 6668, 6669, 6689, 6692, 6699, 6779, 6788, 6789, 6792,
		6839, 6881, 6901, 6969, 7000, 7002, 7004, 7007, 7019, 7025, 7070, 7100, 7103, 7199, 7200, 7201, 7402, 7435, 7443, 7474,
		7496, 7512, 7625, 7627, 7676, 7741, 7777, 7778, 7800, 7911, 7920, 7921, 7937, 7938, 7999, 8001, 8002, 8007, 8009, 8010,
		8011, 8021, 8022, 8031, 8042, 8045, 8082, 8083, 8084, 8085, 8086, 8087, 8089, 8090, 8093, 8099, 8100, 8180, 8181, 8192,
		8193, 8194, 8200, 8222, 8254, 8290, 8291, 8292, 8300, 8333, 8383, 8400, 8402, 8444, 8500, 8600, 8649, 8651, 8652, 8654,
		8701, 8800, 8873, 8880, 8899, 8983, 8994, 9001, 9002, 9003, 9009, 9010, 9011, 9040, 9043, 9050, 9071, 9080, 9081, 9091,
		9099, 9101, 9102, 9103, 9110, 9111, 9200, 9207, 9220, 9290, 9415, 9443, 9485, 9500, 9502, 9503, 9535, 9575, 9593, 9594,
		9595, 9618, 9666, 9876, 9877, 9878, 9898, 9900, 9917, 9929, 9943, 9944, 9968, 9998, 9999, 10000, 10001, 10002, 10003, 10004,
		10009, 10010, 10012, 10024, 10025, 10082, 10180, 10215, 10243, 10255, 10256, 10566, 10616, 10617, 10621, 10626, 10628, 10629, 10778, 11110,
		11111, 11967, 12000, 12174, 12265, 12345, 13456, 13722, 13782, 13783, 14000, 14238, 14441, 14442, 15000, 15002, 15003, 15004, 15660, 15742,
		16000, 16001, 16012, 16016, 16018, 16080, 16113, 16992, 16993, 17877, 17988, 18040, 18101, 18988, 19101, 19283, 19315, 19350, 19780, 19801,
		19842, 20000, 20005, 20031, 20221, 20222, 20828, 21571, 22939, 23502, 24444, 24800, 25734, 25735, 26214, 27000, 27018, 27019, 27352, 27353,
		27355, 27356, 27715, 28017, 28201, 30000, 30718, 30951, 31038, 31337, 32769, 32770, 32771, 32772, 32773, 32774, 32775, 32776, 32777, 32778,
		32779, 32780, 32781, 32782, 32783, 32784, 33354, 33899, 34571, 34572, 34573, 35500, 38292, 40193, 40911, 41511, 42510, 44176, 44442, 44443,
		44501, 45100, 48080, 49153, 49154, 49155, 49156, 49157, 49158, 49159, 49160, 49161, 49163, 49165, 49167, 49175, 49176, 49400, 49999, 50001,
		50002, 50003, 50006, 50070, 50075, 50300, 50389, 50500, 50636, 50800, 51103, 51493, 52673, 52822, 52848, 52869, 54045, 54328, 55055, 55056,
		55555, 55600, 56737, 56738, 57294, 57797, 58080, 60020, 60443, 61532, 61900, 62078, 63331, 64623, 64680, 65000, 65129, 65389,
	}
)

// NamedPortSets lists the names ParsePorts accepts besides numbers and ranges.
var NamedPortSets = []string{"top100", "top1000", "all"}

// ParsePorts turns a port set into sorted, unique ports. It accepts a comma-separated list of
// ports, ranges ("8000-8100") and the names top100, top1000 and all ("1-65535").
func ParsePorts(spec string) ([]uint16, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, fmt.Errorf("empty port set: give e.g. \"top100\", \"top1000\", \"all\" or \"22,80,8000-8100\"")
	}
	seen := make([]bool, 65536)
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		switch part {
		case "top100":
			mark(seen, top100)
			continue
		case "top1000":
			mark(seen, top1000())
			continue
		case "all", "-":
			part = "1-65535"
		}
		low, high, err := parsePortRange(part)
		if err != nil {
			return nil, err
		}
		for p := low; p <= high; p++ {
			seen[p] = true
		}
	}
	var ports []uint16
	for p := 1; p < len(seen); p++ {
		if seen[p] {
			ports = append(ports, uint16(p))
		}
	}
	return ports, nil
}

func parsePortRange(part string) (int, int, error) {
	lowText, highText, isRange := strings.Cut(part, "-")
	low, err := parsePort(lowText)
	if err != nil {
		return 0, 0, err
	}
	high := low
	if isRange {
		if high, err = parsePort(highText); err != nil {
			return 0, 0, err
		}
	}
	if high < low {
		return 0, 0, fmt.Errorf("port range %q runs backwards: write it low-high", part)
	}
	return low, high, nil
}

func parsePort(s string) (int, error) {
	p, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("%q is not a port (1-65535), range (8000-8100) or one of %s", s, strings.Join(NamedPortSets, ", "))
	}
	return p, nil
}

// top1000 is top100 and the extra common ports, filled up to 1,000 with the lowest
// well-known ports (1-1024) not in them yet.
func top1000() []uint16 {
	ports := make([]uint16, 0, 1000)
	ports = append(ports, top100...)
	ports = append(ports, extraCommon...)
	slices.Sort(ports)
	ports = slices.Compact(ports)
	for p := uint16(1); p <= 1024 && len(ports) < 1000; p++ {
		if _, found := slices.BinarySearch(ports, p); !found {
			ports = append(ports, p)
			slices.Sort(ports)
		}
	}
	return ports
}

func mark(seen []bool, ports []uint16) {
	for _, p := range ports {
		seen[p] = true
	}
}
