// Package beacon scores command-and-control beaconing: how regular the connections of one
// source → destination pair are, in time and in size.
//
// The score (0-1) uses robust statistics, after RITA's beacon analysis:
//
//	interval skew score = 1 - |Bowley skew of the intervals|      (Q1 + Q3 - 2·Q2) / (Q3 - Q1)
//	interval MAD score  = 1 - MAD(intervals) / median(intervals)  (clamped to 0-1)
//	size skew score     = 1 - |Bowley skew of the bytes sent|
//	size MAD score      = 1 - MAD(sizes) / median(sizes)
//	timing = (interval skew score + 2·interval MAD score) / 3, size likewise
//	score  = 0.7·timing + 0.3·size
//
// The MAD counts double because the Bowley skew is 0 for any symmetric spread (and noisy
// on small samples), while MAD/median measures the spread itself. Timing weighs more than
// size because a constant request size alone is common (pollers), while a constant interval
// is what a sleeping implant produces. Reference points: a 60 s ± 10% (uniform jitter)
// beacon scores about 0.97; exponential (Poisson) intervals have a Bowley skew of 0.26 and
// MAD/median of 0.69, a timing score near 0.45, so Poisson traffic scores about 0.6 and
// stays below 0.75 even with constant sizes and an unlucky skew. Findings need a score of at
// least Threshold (default 0.85) and MinConnections (default 20) connections.
package beacon

import (
	"math"
	"sort"
)

// Scores are the parts of a pair's score.
type Scores struct {
	IntervalSkew, IntervalMAD float64
	SizeSkew, SizeMAD         float64
	Timing, Size, Score       float64
	MedianInterval            float64 // seconds
	MedianSize                float64 // bytes
}

// Weights of timing and size in the score.
const (
	TimingWeight = 0.7
	SizeWeight   = 0.3
)

// Score computes the scores from connection start times (seconds, any order) and the bytes
// the source sent per connection. It sorts times in place. Fewer than 4 connections score 0.
func Score(times []float64, sizes []float64, scratch []float64) Scores {
	if len(times) < 4 {
		return Scores{}
	}
	sort.Float64s(times)
	intervals := scratch[:0]
	for i := 1; i < len(times); i++ {
		intervals = append(intervals, times[i]-times[i-1])
	}
	var s Scores
	s.IntervalSkew, s.IntervalMAD, s.MedianInterval = regularity(intervals)
	s.SizeSkew, s.SizeMAD, s.MedianSize = regularity(sizes)
	s.Timing = (s.IntervalSkew + 2*s.IntervalMAD) / 3
	s.Size = (s.SizeSkew + 2*s.SizeMAD) / 3
	s.Score = TimingWeight*s.Timing + SizeWeight*s.Size
	return s
}

// regularity returns the skew score, the MAD score and the median of values (sorted in
// place; values are overwritten by the deviations).
func regularity(values []float64) (skewScore, madScore, median float64) {
	if len(values) == 0 {
		return 0, 0, 0
	}
	sort.Float64s(values)
	q1, q2, q3 := quantile(values, 0.25), quantile(values, 0.5), quantile(values, 0.75)
	skew := 0.0
	if q3 > q1 {
		skew = (q1 + q3 - 2*q2) / (q3 - q1)
	}
	skewScore = 1 - math.Abs(skew)
	for i, v := range values {
		values[i] = math.Abs(v - q2)
	}
	sort.Float64s(values)
	mad := quantile(values, 0.5)
	switch {
	case q2 > 0:
		madScore = clamp01(1 - mad/q2)
	case mad == 0:
		madScore = 1 // all zero: perfectly regular
	}
	return clamp01(skewScore), madScore, q2
}

// quantile is the linear-interpolation quantile of sorted values.
func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := int(math.Ceil(pos))
	frac := pos - float64(lo)
	return sorted[lo]*(1-frac) + sorted[hi]*frac
}

func clamp01(v float64) float64 {
	return math.Max(0, math.Min(1, v))
}
