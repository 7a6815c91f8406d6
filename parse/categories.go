package parse

import "slices"

// FailureCategories returns every Category a refusal can have, sorted,
// so that a metrics exporter can show each at zero before the first one
// (an alert on a rate needs a sample before the first increase).
func FailureCategories() []string {
	out := []string{authFailedCategory, "other"}
	for _, r := range refusals {
		out = append(out, r.category)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
