package main

import "strings"

// readmeSection returns the text under a Markdown heading (given with
// its #s) up to the next heading of the same or a higher level.
func readmeSection(md, heading string) string {
	level := len(heading) - len(strings.TrimLeft(heading, "#"))
	_, body, ok := strings.Cut("\n"+md, "\n"+heading+"\n")
	if !ok {
		return ""
	}
	lines := strings.Split(body, "\n")
	inCode := false
	for i, l := range lines {
		if strings.HasPrefix(l, "```") {
			inCode = !inCode
		}
		if inCode || !strings.HasPrefix(l, "#") {
			continue
		}
		if n := len(l) - len(strings.TrimLeft(l, "#")); n <= level && strings.HasPrefix(l[n:], " ") {
			return strings.Trim(strings.Join(lines[:i], "\n"), "\n")
		}
	}
	return strings.Trim(body, "\n")
}
