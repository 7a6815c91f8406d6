package parse

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
)

// benchLog is a real-shaped stderr log: the corpus of scripts/bench.sh
// when $PGTAIL_BENCH_LOG names it, else the real PostgreSQL 15 sample log
// repeated to about 16 MB.
func benchLog(b *testing.B) []byte {
	if f := os.Getenv("PGTAIL_BENCH_LOG"); f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	one, err := os.ReadFile("../testdata/logs/pg15-debian.log")
	if err != nil {
		b.Fatal(err)
	}
	return bytes.Repeat(one, 16<<20/len(one)+1)
}

func benchRead(b *testing.B, serial bool) {
	data := benchLog(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), Options{})
		r.serial = serial
		for {
			if _, err := r.Read(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkReader reads a busy log end to end (go test -bench prints MB/s).
func BenchmarkReader(b *testing.B) { benchRead(b, false) }

// BenchmarkReaderSerial is the line-by-line path, for comparison.
func BenchmarkReaderSerial(b *testing.B) { benchRead(b, true) }

// benchBlock is a block's worth of whole lines from the middle of
// benchLog (a storm corpus starts with its set-up).
func benchBlock(b *testing.B) []byte {
	data := benchLog(b)
	data = data[bytes.IndexByte(data[len(data)/2:], '\n')+len(data)/2+1:]
	return data[:bytes.LastIndexByte(data[:min(len(data), blockSize)], '\n')+1]
}

// BenchmarkScan is one scan worker on one block.
func BenchmarkScan(b *testing.B) {
	data := benchBlock(b)
	blk := &block{buf: data}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		blk.scan()
	}
}

// BenchmarkReaderJSONLog reads PostgreSQL's own compact jsonlog, with
// statement records among the connection events, to about 16 MB.
func BenchmarkReaderJSONLog(b *testing.B) {
	events := jsonLines[:strings.LastIndex(jsonLines, "{")]
	stmt := `{"timestamp":"2026-11-25 21:41:16.750 CET","user":"alice","dbname":"appdb","pid":16044,"remote_host":"127.0.0.1","remote_port":59218,"session_id":"6b0747ec.3eac","line_num":3,"ps":"SELECT","session_start":"2026-11-25 21:41:16 CET","vxid":"3/2","txid":0,"error_severity":"LOG","message":"statement: select * from t where id = 1","application_name":"psql","backend_type":"client backend","query_id":0}` + "\n"
	one := events + strings.Repeat(stmt, 20)
	data := []byte(strings.Repeat(one, 16<<20/len(one)+1))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data), Options{})
		for {
			if _, err := r.Read(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkPreParse is one scan worker reading the events of one block's
// candidate lines (after scan), with the prefix the decoder found.
func BenchmarkPreParse(b *testing.B) {
	data := benchBlock(b)
	blk := &block{buf: data, pfx: compilePrefix(knownPrefixes[0])}
	blk.scan()
	var pp preParser
	pp.preParse(blk)
	if len(blk.evs) == 0 {
		b.Fatal("no event read")
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		pp.preParse(blk)
	}
}

// benchBlocks cuts up to 64 MB of benchLog into blocks of whole lines, as
// the pipeline does, and scans them: BenchmarkScanAll and
// BenchmarkPreParseAll read new lines on every block, as a worker does,
// where BenchmarkScan and BenchmarkPreParse read one block again and
// again (with its bytes in the cache and its branches learnt).
func benchBlocks(b *testing.B) []*block {
	data := benchLog(b)
	data = data[:bytes.LastIndexByte(data[:min(len(data), 64<<20)], '\n')+1]
	var blks []*block
	for len(data) > 0 {
		k := bytes.LastIndexByte(data[:min(len(data), blockSize)], '\n') + 1
		blk := &block{buf: data[:k], pfx: compilePrefix(knownPrefixes[0])}
		blk.scan()
		blks = append(blks, blk)
		data = data[k:]
	}
	return blks
}

func BenchmarkScanAll(b *testing.B) {
	blks := benchBlocks(b)
	b.SetBytes(int64(len(blks) * blockSize))
	for b.Loop() {
		for _, blk := range blks {
			blk.scan()
		}
	}
}

func BenchmarkPreParseAll(b *testing.B) {
	blks := benchBlocks(b)
	var pp preParser
	var evs [maxBlocks][]Event // the events of the blocks in flight, as in the pipeline
	pre := func(i int, blk *block) {
		blk.evs = evs[i%maxBlocks]
		pp.preParse(blk)
		evs[i%maxBlocks], blk.evs = blk.evs, nil
	}
	n := 0
	for i, blk := range blks {
		pre(i, blk)
		n += len(evs[i%maxBlocks])
	}
	run := func(scan bool) func(*testing.B) {
		return func(b *testing.B) {
			b.SetBytes(int64(len(blks) * blockSize))
			for b.Loop() {
				for i, blk := range blks {
					if scan {
						blk.scan()
					}
					pre(i, blk)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
		}
	}
	b.Run("alone", run(false))  // the blocks' bytes long out of the cache
	b.Run("scanned", run(true)) // each block scanned just before, as a worker does
}

// BenchmarkPipe is the pipeline with a consumer that takes no line.
func BenchmarkPipe(b *testing.B) {
	data := benchLog(b)
	pfx := compilePrefix(knownPrefixes[0])
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		p := startPipeline(bytes.NewReader(data), func(p *pipeline) func(*block) {
			var pp preParser
			return func(b *block) {
				b.scan()
				b.pfx = pfx
				pp.preParse(b)
			}
		})
		for {
			if p.release(p.receive()) != nil {
				break
			}
		}
	}
}
