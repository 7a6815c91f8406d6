package parse_test

import (
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestMutatedSamples is a fixed-seed mutation run over the sample logs
// and envelopes: each is cut, and gets bytes, log-shaped fragments and
// line breaks put in, and every reader of FuzzReader checks it as the
// fuzzer would. It found what the fuzzer found in CI (one-byte reads that
// differ), and more, within a few hundred inputs: so go test replays that
// search every time; PGTAIL_MUTATE_SEED and PGTAIL_MUTATE_TIME run a longer one.
func TestMutatedSamples(t *testing.T) {
	logs, _ := filepath.Glob("../testdata/logs/*.log")
	if len(logs) == 0 {
		t.Fatal("no sample logs")
	}
	more, _ := filepath.Glob("../testdata/envelopes/*")
	logs = append(logs, more...)
	var datas [][]byte
	for _, f := range logs {
		d, _ := os.ReadFile(f)
		if len(d) > 20000 {
			d = d[:20000]
		}
		datas = append(datas, d)
	}
	frags := []string{"\n", "\t", "é", "ü", "\xff", "LOG:  ", "FATAL:  ", "DETAIL:  ", "\"", "@", "Verbindung empfangen: ", "подключение", " user=", "\n\t", "\r", " database=", "[unknown]", "\",\"", "\\n", "{", "}", ",", "2026-11-24 10:01:00.005 UTC [201] ", "connection authorized: ", "disconnection: session time: 0:00:01.000 ", "\x00"}
	seed, _ := strconv.Atoi(os.Getenv("PGTAIL_MUTATE_SEED"))
	rng := rand.New(rand.NewSource(int64(seed)))
	budget, _ := time.ParseDuration(os.Getenv("PGTAIL_MUTATE_TIME"))
	deadline := time.Now().Add(budget)
	for it := 0; it < 200 || time.Now().Before(deadline); it++ {
		src := datas[rng.Intn(len(datas))]
		d := append([]byte(nil), src...)
		if rng.Intn(3) == 0 && len(d) > 200 {
			a := rng.Intn(len(d) - 100)
			d = d[a : a+rng.Intn(len(d)-a)]
		}
		n := 1 + rng.Intn(5)
		for k := 0; k < n && len(d) > 0; k++ {
			p := rng.Intn(len(d))
			switch rng.Intn(4) {
			case 0, 3:
				fr := frags[rng.Intn(len(frags))]
				d = append(d[:p:p], append([]byte(fr), d[p:]...)...)
			case 1:
				q := min(len(d), p+1+rng.Intn(30))
				d = append(d[:p:p], d[q:]...)
			case 2:
				d[p] = byte(rng.Intn(256))
			}
		}
		prefix := fuzzPrefixes[rng.Intn(len(fuzzPrefixes))]
		for _, r := range fuzzReaders {
			checkReader(t, r.name, d, r.opt(prefix), r.lines, r.literal)
		}
		if t.Failed() {
			t.Fatalf("input %d (seed %d), prefix %q:\n%q", it, seed, prefix, d)
		}
	}
}
