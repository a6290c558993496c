package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// printer writes the indented, HCL-like lines of the human renderers. Each nesting level
// indents by four columns. With symbols, every line starts with a three-column change
// symbol field, right-aligned so that "+", "~" and "-/+" line up as in Terraform; the
// text of a line at level L starts at column 4L+4 and its closing brace sits there too.
type printer struct {
	b       strings.Builder
	symbols bool // false for state rendering: no change column at all
	color   bool
	// replace holds the paths of the change being rendered that force replacement.
	replace []cty.Path
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// line writes one line at level with change symbol sym ("" for none).
func (p *printer) line(level int, sym, text string) {
	p.b.WriteString(strings.Repeat("    ", level))
	if p.symbols {
		pad := strings.Repeat(" ", max(0, 3-len(sym)))
		p.b.WriteString(pad + p.paintSymbol(sym) + " ")
	}
	p.b.WriteString(text)
	p.b.WriteByte('\n')
}

// comment writes a bold "# ..." headline two columns in, where Terraform puts them.
func (p *printer) comment(text string) {
	p.b.WriteString("  " + p.paint(ansiBold, "# "+text) + "\n")
}

// note writes a plain "# ..." line under a headline: a reason or a provider detail.
func (p *printer) note(text string) {
	p.b.WriteString("  # " + text + "\n")
}

func (p *printer) blank() { p.b.WriteByte('\n') }

func (p *printer) text(format string, args ...any) {
	fmt.Fprintf(&p.b, format, args...)
}

func (p *printer) paintSymbol(sym string) string {
	if !p.color || sym == "" {
		return sym
	}
	var b strings.Builder
	for _, r := range sym {
		switch r {
		case '+':
			b.WriteString(ansiGreen + "+" + ansiReset)
		case '-':
			b.WriteString(ansiRed + "-" + ansiReset)
		case '~':
			b.WriteString(ansiYellow + "~" + ansiReset)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (p *printer) paint(code, s string) string {
	if !p.color {
		return s
	}
	return code + s + ansiReset
}

// forces returns the "# forces replacement" note when path forces a replacement.
func (p *printer) forces(path cty.Path) string {
	for _, r := range p.replace {
		if r.Equals(path) {
			return p.paint(ansiRed, " # forces replacement")
		}
	}
	return ""
}

func (p *printer) flush(w io.Writer) error {
	_, err := io.WriteString(w, p.b.String())
	return err
}

// hidden writes the "(N unchanged attributes hidden)" line.
func (p *printer) hidden(level, n int, noun string) {
	if n == 0 {
		return
	}
	if n > 1 {
		noun += "s"
	}
	p.line(level, "", fmt.Sprintf("# (%d unchanged %s hidden)", n, noun))
}

// pad right-pads name so the "=" of sibling lines line up.
func pad(name string, width int) string {
	if len(name) >= width {
		return name
	}
	return name + strings.Repeat(" ", width-len(name))
}
