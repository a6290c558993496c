package config

import (
	"errors"
	"fmt"
	"time"
)

// FieldError is a validation error naming the setting it is about.
type FieldError struct {
	Path    string
	Message string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Message }

// Validate checks the configuration; every error names its field and says what to do.
func (c *Config) Validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, &FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	validateTargets("targets", c.Targets, bad)
	validateTargets("exclude", c.Exclude, bad)
	if c.Ports != "" {
		if _, err := ParsePorts(c.Ports); err != nil {
			bad("ports", "%v", err)
		}
	}
	validateProfile("profile", c.Profile, bad)
	validateSchedule("", c.Interval, c.Cron, bad)
	if len(c.Targets) == 0 && (c.Interval != "" || c.Cron != "" || c.Ports != "") {
		bad("targets", "ports, interval and cron describe the default job, which needs targets: add targets or move them into a job block")
	}
	switch c.Mode {
	case "", ModeAuto, ModeConnect, ModeSYN:
	default:
		bad("mode", "%q is not a mode: use auto, connect or syn", c.Mode)
	}
	if c.RateLimit < 0 {
		bad("rate_limit", "must not be negative (0 means no limit)")
	}
	names := map[string]bool{}
	if len(c.Targets) > 0 {
		names[DefaultJobName] = true
	}
	for i, j := range c.Jobs {
		path := fmt.Sprintf("job[%d]", i)
		if j.Name == "" {
			bad(path, "a job needs a name (job \"nightly\" { ... })")
		} else {
			path = fmt.Sprintf("job.%s", j.Name)
		}
		if names[j.Name] {
			bad(path, "duplicate job name %q: job names must be unique (the top-level targets form the job %q)", j.Name, DefaultJobName)
		}
		names[j.Name] = true
		if len(j.Targets) == 0 {
			bad(path+".targets", "a job needs at least one target")
		}
		validateTargets(path+".targets", j.Targets, bad)
		validateTargets(path+".exclude", j.Exclude, bad)
		if j.Ports != "" {
			if _, err := ParsePorts(j.Ports); err != nil {
				bad(path+".ports", "%v", err)
			}
		}
		validateProfile(path+".profile", j.Profile, bad)
		validateSchedule(path+".", j.Interval, j.Cron, bad)
	}
	if l := c.Limits; l != nil {
		if l.InFlight < 0 || l.ParallelHosts < 0 || l.PerHost < 0 || l.Retries < 0 {
			bad("limits", "in_flight, parallel_hosts, per_host and retries must not be negative (0 means derived)")
		}
		validateDuration("limits.min_probe_timeout", l.MinProbeTimeout, bad)
		validateDuration("limits.max_probe_timeout", l.MaxProbeTimeout, bad)
		validateDuration("limits.service_timeout", l.ServiceTimeout, bad)
	}
	return errors.Join(errs...)
}

func validateTargets(path string, targets []string, bad func(path, format string, args ...any)) {
	for i, t := range targets {
		if _, err := ParseTarget(t); err != nil {
			bad(fmt.Sprintf("%s[%d]", path, i), "%v", err)
		}
	}
}

func validateProfile(path, profile string, bad func(path, format string, args ...any)) {
	if profile == "" {
		return
	}
	if _, ok := profiles[profile]; !ok {
		bad(path, "%q is not a profile: use discovery, standard or thorough", profile)
	}
}

func validateSchedule(prefix, interval, cron string, bad func(path, format string, args ...any)) {
	if interval != "" && cron != "" {
		bad(prefix+"interval", "set interval or cron, not both")
	}
	if interval != "" {
		if d, err := time.ParseDuration(interval); err != nil || d < time.Minute {
			bad(prefix+"interval", "%q is not a duration of at least a minute such as \"6h\"", interval)
		}
	}
	if cron != "" {
		if _, err := ParseCron(cron); err != nil {
			bad(prefix+"cron", "%v", err)
		}
	}
}

func validateDuration(path, value string, bad func(path, format string, args ...any)) {
	if value == "" {
		return
	}
	if v, err := time.ParseDuration(value); err != nil || v <= 0 {
		bad(path, "%q is not a positive duration such as \"500ms\"", value)
	}
}
