package main

import (
	"slices"
	"testing"
)

func TestSplitPositional(t *testing.T) {
	id := `no pg_hba.conf entry for host "%s", user "%s", database "%s", %s`
	text := `%4$s: user «%2$s», database «%3$s», host «%1$s», 100%%`
	if err := sameConversions(id, text); err != nil {
		t.Fatal(err)
	}
	idConvs, _ := conversions(id)
	lits, caps := split(text, idConvs)
	if want := []string{"", ": user «", "», database «", "», host «", "», 100%"}; !slices.Equal(lits, want) {
		t.Errorf("lits %q, want %q", lits, want)
	}
	if want := []int{3, 1, 2, 0}; !slices.Equal(caps, want) {
		t.Errorf("caps %v, want %v", caps, want)
	}
	if err := sameConversions(id, `host %s user %s`); err == nil {
		t.Error("a translation that drops arguments passed")
	}
	// %.*s takes two arguments and prints one.
	cs, err := conversions(`a %.*s b %d`)
	if err != nil || len(cs) != 2 || cs[0].arg != 2 || cs[1].arg != 3 {
		t.Errorf("conversions(%%.*s) = %+v, %v", cs, err)
	}
}
