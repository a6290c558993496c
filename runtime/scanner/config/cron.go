package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Cron is a parsed five-field schedule: minute hour day-of-month month day-of-week, each
// field "*", a number, a range "1-5", a step "*/15" or "0-30/10", or a comma list of those.
// As in cron(8), when both day fields are restricted a day matching either one runs.
type Cron struct {
	minutes, hours, days, months, weekdays uint64 // bit n set: value n allowed
	anyDay, anyWeekday                     bool
}

var cronFields = []struct {
	name     string
	min, max int
}{{"minute", 0, 59}, {"hour", 0, 23}, {"day of month", 1, 31}, {"month", 1, 12}, {"day of week", 0, 7}}

// ParseCron parses a schedule such as "0 3 * * *" (every day at 03:00).
func ParseCron(spec string) (Cron, error) {
	fields := strings.Fields(spec)
	if len(fields) != 5 {
		return Cron{}, fmt.Errorf("%q: a schedule has 5 fields (minute hour day-of-month month day-of-week), e.g. \"0 3 * * *\"", spec)
	}
	var sets [5]uint64
	for i, f := range fields {
		set, err := parseCronField(f, cronFields[i].min, cronFields[i].max)
		if err != nil {
			return Cron{}, fmt.Errorf("%q: %s field: %w", spec, cronFields[i].name, err)
		}
		sets[i] = set
	}
	if sets[4]&(1<<7) != 0 { // 7 is Sunday too
		sets[4] |= 1
	}
	return Cron{minutes: sets[0], hours: sets[1], days: sets[2], months: sets[3], weekdays: sets[4],
		anyDay: fields[2] == "*", anyWeekday: fields[4] == "*"}, nil
}

func parseCronField(field string, low, high int) (uint64, error) {
	var set uint64
	for _, part := range strings.Split(field, ",") {
		rangeText, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			s, err := strconv.Atoi(stepText)
			if err != nil || s < 1 {
				return 0, fmt.Errorf("step %q must be a positive number", stepText)
			}
			step = s
		}
		first, last := low, high
		if rangeText != "*" {
			a, b, isRange := strings.Cut(rangeText, "-")
			var err error
			if first, err = cronNumber(a, low, high); err != nil {
				return 0, err
			}
			last = first
			if isRange {
				if last, err = cronNumber(b, low, high); err != nil {
					return 0, err
				}
			} else if hasStep {
				last = high
			}
			if last < first {
				return 0, fmt.Errorf("range %q runs backwards", rangeText)
			}
		}
		for v := first; v <= last; v += step {
			set |= 1 << v
		}
	}
	return set, nil
}

func cronNumber(s string, low, high int) (int, error) {
	v, err := strconv.Atoi(s)
	if err != nil || v < low || v > high {
		return 0, fmt.Errorf("%q is not a number from %d to %d", s, low, high)
	}
	return v, nil
}

// Next is the first minute strictly after t that the schedule matches, in t's location.
// It searches at most four years ahead (enough for "29 2 * *"); zero means never.
func (c Cron) Next(t time.Time) time.Time {
	t = t.Truncate(time.Minute).Add(time.Minute)
	limit := t.AddDate(4, 0, 0)
	for t.Before(limit) {
		if c.months&(1<<int(t.Month())) == 0 {
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, t.Location())
			continue
		}
		if !c.dayMatches(t) {
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, t.Location())
			continue
		}
		if c.hours&(1<<t.Hour()) == 0 {
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour()+1, 0, 0, 0, t.Location())
			continue
		}
		if c.minutes&(1<<t.Minute()) == 0 {
			t = t.Add(time.Minute)
			continue
		}
		return t
	}
	return time.Time{}
}

func (c Cron) dayMatches(t time.Time) bool {
	day := c.days&(1<<t.Day()) != 0
	weekday := c.weekdays&(1<<int(t.Weekday())) != 0
	switch {
	case c.anyDay && c.anyWeekday:
		return true
	case c.anyDay:
		return weekday
	case c.anyWeekday:
		return day
	}
	return day || weekday
}
