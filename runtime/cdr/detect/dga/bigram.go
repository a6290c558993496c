package dga

import (
	_ "embed" // the popular-names list the bigram table is derived from
	"math"
	"strings"
)

//go:embed popular.txt
var popularNames string

// The model's alphabet: a-z, 0-9, '-', and the start and end markers.
const (
	symbols  = 39
	symStart = 37
	symEnd   = 38
	symOther = 36 // '-' and anything else
)

func symbol(b byte) int {
	switch {
	case 'a' <= b && b <= 'z':
		return int(b - 'a')
	case '0' <= b && b <= '9':
		return 26 + int(b-'0')
	default:
		return symOther
	}
}

// bigramModel holds ln P(next | previous) for every symbol pair, with add-one smoothing.
type bigramModel [symbols][symbols]float64

// model is derived once from popular.txt: names that read like these are "human".
var model = trainBigrams(popularNames)

func trainBigrams(text string) *bigramModel {
	var counts [symbols][symbols]float64
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, word := range strings.Fields(strings.ToLower(line)) {
			prev := symStart
			for i := 0; i < len(word); i++ {
				s := symbol(word[i])
				counts[prev][s]++
				prev = s
			}
			counts[prev][symEnd]++
		}
	}
	m := &bigramModel{}
	for a := range counts {
		total := 0.0
		for b := range counts[a] {
			total += counts[a][b] + 1
		}
		for b := range counts[a] {
			m[a][b] = math.Log((counts[a][b] + 1) / total)
		}
	}
	return m
}

// logLikelihood is the mean ln probability per bigram of label under the model, start and
// end markers included. Human-chosen names score around -2.5, random strings below -3.5.
func (m *bigramModel) logLikelihood(label string) float64 {
	if label == "" {
		return 0
	}
	sum, prev := 0.0, symStart
	for i := 0; i < len(label); i++ {
		s := symbol(label[i])
		sum += m[prev][s]
		prev = s
	}
	sum += m[prev][symEnd]
	return sum / float64(len(label)+1)
}
