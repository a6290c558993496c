package checks

import (
	"regexp"
	"strconv"
	"strings"
)

// CompareVersions compares product versions segment by segment: runs of digits compare as
// numbers, runs of letters as text, separators are ignored, and a version that is a prefix of
// the other is the older ("1.3.5" < "1.3.5a", "9.2p1" < "9.8p1" < "10.0p1").
func CompareVersions(a, b string) int {
	ta, tb := versionTokens(a), versionTokens(b)
	for i := 0; i < len(ta) && i < len(tb); i++ {
		x, y := ta[i], tb[i]
		xn, xerr := strconv.ParseUint(x, 10, 64)
		yn, yerr := strconv.ParseUint(y, 10, 64)
		switch {
		case xerr == nil && yerr == nil:
			if xn != yn {
				if xn < yn {
					return -1
				}
				return 1
			}
		case xerr == nil: // a number is newer than a letter tag ("1.0" > "1.beta")
			return 1
		case yerr == nil:
			return -1
		default:
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
		}
	}
	switch {
	case len(ta) < len(tb):
		return -1
	case len(ta) > len(tb):
		return 1
	}
	return 0
}

func versionTokens(v string) []string {
	var tokens []string
	start := -1
	kind := 0 // 1 digits, 2 letters
	flush := func(i int) {
		if start >= 0 {
			tokens = append(tokens, strings.ToLower(v[start:i]))
		}
		start, kind = -1, 0
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		k := 0
		switch {
		case c >= '0' && c <= '9':
			k = 1
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			k = 2
		}
		if k != kind {
			flush(i)
			if k != 0 {
				start, kind = i, k
			}
		}
	}
	flush(len(v))
	return tokens
}

// inRange says whether version falls in r.
func (r VersionRange) inRange(version string) bool {
	if r.Equals != "" {
		return CompareVersions(version, r.Equals) == 0
	}
	if r.From != "" && CompareVersions(version, r.From) < 0 {
		return false
	}
	if r.Before != "" && CompareVersions(version, r.Before) >= 0 {
		return false
	}
	return true
}

// distroBuild finds a distribution build tag in a banner: "Debian-2+deb12u3" → ("deb12", 3).
var distroBuild = regexp.MustCompile(`\+(deb\d+)u(\d+)`)

// fixedByBuild says whether the banner names a distribution build at or after the fixed one.
func (v VulnerableVersion) fixedByBuild(banner string) bool {
	m := distroBuild.FindStringSubmatch(banner)
	if m == nil {
		return false
	}
	first, ok := v.FixedBuilds[m[1]]
	if !ok {
		return false
	}
	n, err := strconv.Atoi(m[2])
	return err == nil && n >= first
}
