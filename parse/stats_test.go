package parse

import (
	"reflect"
	"testing"
)

// TestStatsAdd fails when a field is added to Stats and Add forgets it:
// every field of a Stats with all fields set must reach the sum.
func TestStatsAdd(t *testing.T) {
	var o Stats
	v := reflect.ValueOf(&o).Elem()
	for i := range v.NumField() {
		switch f := v.Field(i); f.Kind() {
		case reflect.Int:
			f.SetInt(int64(i + 1))
		case reflect.String:
			f.SetString("x")
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Uint8:
			f.SetUint(uint64(Syslog))
		default:
			t.Fatalf("Stats.%s: add a case for %s", v.Type().Field(i).Name, f.Kind())
		}
	}
	var sum Stats
	sum.Add(o)
	sum.Add(o)
	s := reflect.ValueOf(sum)
	for i := range s.NumField() {
		f, name := s.Field(i), s.Type().Field(i).Name
		switch f.Kind() {
		case reflect.Int:
			if name == "Year" { // the first input's
				if f.Int() != int64(i+1) {
					t.Errorf("Stats.Add: Year %d, want the first input's, %d", f.Int(), i+1)
				}
				continue
			}
			if f.Int() != 2*int64(i+1) {
				t.Errorf("Stats.Add drops %s: got %d, want %d", name, f.Int(), 2*(i+1))
			}
		default:
			if !reflect.DeepEqual(f.Interface(), v.Field(i).Interface()) {
				t.Errorf("Stats.Add drops %s: got %v", name, f.Interface())
			}
		}
	}
}
