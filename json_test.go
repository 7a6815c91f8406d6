package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func runOut(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(args, strings.NewReader(""), &out, &errb, func(string) string { return "" }); code != 0 {
		t.Fatalf("pgtail %v: exit %d: %s", args, code, errb.String())
	}
	return out.String()
}

type jsonView struct {
	Active                int
	Connects, Disconnects int
	FailuresTotal         int `json:"failures_total"`
	Peak                  struct {
		Active         int
		Time           *string
		MaxConnections *int `json:"max_connections"`
		Free           *int
		Saturation     struct{ Count int }
	}
	History *struct {
		Connects, Disconnects, Net int
		Rows                       []struct {
			Start  string
			Active int
			Change int
			Leak   bool
		}
		Trend string
	}
}

// The JSON views carry the same numbers as the text views, on the same log.
func TestJSONMatchesText(t *testing.T) {
	const log = "testdata/logs/mini.log"
	for _, args := range [][]string{
		{"connections", log},
		{"connections", "--db=production", log},
		{"connections", "--max-connections=100", log},
		{"connections", "--history", log},
		{"connections", "--history", "--window=30m", "--bucket=10m", log},
	} {
		t.Run(strings.Join(args[1:], " "), func(t *testing.T) {
			text := runOut(t, args...)
			raw := runOut(t, append([]string{args[0], "--json"}, args[1:]...)...)
			var j jsonView
			if err := json.Unmarshal([]byte(raw), &j); err != nil {
				t.Fatalf("--json output does not parse: %v\n%s", err, raw)
			}
			var top map[string]json.RawMessage
			if err := json.Unmarshal([]byte(raw), &top); err != nil {
				t.Fatal(err)
			}
			rows := map[string][]struct {
				Name  string
				Count int
			}{}
			for _, k := range []string{"by_database", "by_user", "by_application"} {
				var r []struct {
					Name  string
					Count int
				}
				if err := json.Unmarshal(top[k], &r); err != nil {
					t.Fatalf("%s: %v", k, err)
				}
				rows[k] = r
			}
			want := map[string]string{}
			if j.History == nil {
				want["active"] = strconv.Itoa(j.Active)
				want["totals"] = fmt.Sprintf("%d connects, %d disconnects", j.Connects, j.Disconnects)
				for key, title := range map[string]string{"by_database": "By database:", "by_user": "By user:", "by_application": "By application:"} {
					if key == "by_database" && strings.Contains(string(top["filters"]), `"database"`) {
						continue // the text leaves out a filtered dimension
					}
					for _, r := range rows[key] {
						want[title+r.Name] = strconv.Itoa(r.Count)
					}
				}
			} else {
				want["totals"] = fmt.Sprintf("%d connects, %d disconnects (%+d net)", j.History.Connects, j.History.Disconnects, j.History.Net)
				for _, r := range j.History.Rows {
					want["row"+r.Start[11:16]] = strconv.Itoa(r.Active)
				}
				want["trend"] = j.History.Trend
			}
			if j.FailuresTotal > 0 && j.History == nil {
				want["failures"] = strconv.Itoa(j.FailuresTotal)
			}
			if strings.Contains(text, "Peak:") {
				want["peak"] = strconv.Itoa(j.Peak.Active)
				if j.Peak.MaxConnections != nil {
					want["free"] = strconv.Itoa(*j.Peak.Free)
				}
			}
			if j.Peak.Saturation.Count > 0 && strings.Contains(text, "Saturated:") {
				want["saturated"] = strconv.Itoa(j.Peak.Saturation.Count)
			}
			got := parseText(text)
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s: text %q, json %q", k, got[k], v)
				}
			}
			for k := range got {
				if _, ok := want[k]; !ok {
					t.Errorf("text shows %s=%q, json does not", k, got[k])
				}
			}
		})
	}
}

var (
	reActive = regexp.MustCompile(`^Active connections.*: (\d+)$`)
	reRow    = regexp.MustCompile(`^  (.+?) +(\d+)$`)
	reHist   = regexp.MustCompile(`^(\d\d:\d\d) +(\d+) active`)
	rePeak   = regexp.MustCompile(`^Peak: (\d+) active.*?(?:, (\d+) free\))?$`)
)

func parseText(s string) map[string]string {
	got := map[string]string{}
	section := ""
	for _, line := range strings.Split(s, "\n") {
		switch {
		case reActive.MatchString(line):
			got["active"] = reActive.FindStringSubmatch(line)[1]
		case strings.HasPrefix(line, "By "):
			section = line
		case line == "":
			section = ""
		case section != "" && reRow.MatchString(line):
			m := reRow.FindStringSubmatch(line)
			got[section+m[1]] = m[2]
		case strings.HasPrefix(line, "Session totals: "):
			got["totals"] = strings.TrimPrefix(line, "Session totals: ")
		case strings.HasPrefix(line, "Total: "):
			got["totals"] = strings.TrimPrefix(line, "Total: ")
		case strings.HasPrefix(line, "Connection failures: "):
			got["failures"] = strings.Fields(line)[2]
		case reHist.MatchString(line):
			m := reHist.FindStringSubmatch(line)
			got["row"+m[1]] = m[2]
		case strings.HasPrefix(line, "Trend: "):
			got["trend"] = strings.Fields(line)[1]
		case rePeak.MatchString(line):
			m := rePeak.FindStringSubmatch(line)
			got["peak"] = m[1]
			if m[2] != "" {
				got["free"] = m[2]
			}
		case strings.HasPrefix(line, "Saturated: "):
			got["saturated"] = strings.Fields(line)[1]
		}
	}
	return got
}
