// Package dga finds clients that resolve algorithmically generated domain names (DGAs),
// as malware does to find its command-and-control server.
//
// Each name's main label (the label left of the public suffix, "xkq3vz9ht2" in
// "www.xkq3vz9ht2.com") is scored by NameScore from:
//   - length: labels shorter than MinLabel (8) are never DGA-like (too little to judge);
//   - Shannon entropy of its characters (bits per character);
//   - character-bigram likelihood under a table derived from popular.txt, a hand-written
//     list of popular names (mean ln P per bigram);
//   - the share of digits.
//
// A label is DGA-like when its bigram likelihood is below LikelihoodThreshold, or when it
// is long (≥ 12), high-entropy (≥ 3.0 bits) and below LooseLikelihoodThreshold, or when a
// long label is more than 30% digits mixed with letters.
//
// A client is reported once it resolved MinNames (default 10) unique DGA-like names
// within Window (default 1 hour), or half as many when at least half of its lookups in the
// window were answered NXDOMAIN (most generated names are not registered).
// Word-list DGAs (two dictionary words glued together) read as human and are not found.
package dga

import "math"

// Name scoring thresholds; see the package comment.
const (
	MinLabel                 = 8
	LikelihoodThreshold      = -3.5
	LooseLikelihoodThreshold = -3.0
	LongLabel                = 12
	EntropyThreshold         = 3.0
	DigitShareThreshold      = 0.3
)

// Features are the measurements of one label.
type Features struct {
	Length     int
	Entropy    float64 // bits per character
	Likelihood float64 // mean ln P per bigram
	DigitShare float64
}

// Measure computes the features of a label (lower case).
func Measure(label string) Features {
	f := Features{Length: len(label)}
	if len(label) == 0 {
		return f
	}
	var counts [256]int
	digits := 0
	for i := 0; i < len(label); i++ {
		counts[label[i]]++
		if '0' <= label[i] && label[i] <= '9' {
			digits++
		}
	}
	n := float64(len(label))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			f.Entropy -= p * math.Log2(p)
		}
	}
	f.Likelihood = model.logLikelihood(label)
	f.DigitShare = float64(digits) / n
	return f
}

// IsGenerated decides whether a label looks algorithmically generated.
func (f Features) IsGenerated() bool {
	if f.Length < MinLabel {
		return false
	}
	if f.Likelihood < LikelihoodThreshold {
		return true
	}
	if f.Length >= LongLabel && f.Entropy >= EntropyThreshold && f.Likelihood < LooseLikelihoodThreshold {
		return true
	}
	return f.Length >= LongLabel && f.DigitShare > DigitShareThreshold && f.DigitShare < 1
}
