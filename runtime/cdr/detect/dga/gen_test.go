package dga

import (
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// generatedLabels produces n labels the way common DGA families do: random letters
// (Cryptolocker, 12-18), random letters and digits (Necurs-like, 8-20), and hex digests
// (16 characters of an MD5 as Bamital uses). Seeded, so tests are repeatable.
func generatedLabels(n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	const letters = "abcdefghijklmnopqrstuvwxyz"
	const alnum = letters + "0123456789"
	const hexdigits = "0123456789abcdef"
	pick := func(alphabet string, length int) string {
		b := make([]byte, length)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		switch i % 3 {
		case 0:
			out = append(out, pick(letters, 12+r.IntN(7)))
		case 1:
			out = append(out, pick(alnum, 8+r.IntN(13)))
		default:
			out = append(out, pick(hexdigits, 16))
		}
	}
	return out
}

func heldOutPopular(t testing.TB) []string {
	data, err := os.ReadFile("testdata/popular-heldout.txt")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		names = append(names, strings.Fields(line)...)
	}
	return names
}
