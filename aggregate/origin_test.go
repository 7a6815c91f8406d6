package aggregate_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/pgtail/pgtail/aggregate"
	"github.com/pgtail/pgtail/parse"
)

func from(origin string, ev parse.Event) parse.Event {
	ev.Origin = origin
	return ev
}

// In a stream of several servers (kubectl logs -l, stern), the same PID
// on two pods is two backends: neither replaces the other, a disconnect
// ends only its own, and a restart of one pod ends only its sessions.
func TestOriginsSharePIDs(t *testing.T) {
	st := aggregate.New(aggregate.Config{})
	apply(st,
		from("pod-1", connect(100, "app", "alice", "rails")),
		from("pod-2", connect(100, "app", "bob", "rails")),
		from("pod-2", connect(101, "app", "bob", "rails")),
	)
	if got := st.Summary(aggregate.Filter{}); got.Active != 3 || got.Connects != 3 {
		t.Fatalf("after three connects: active %d, connects %d; want 3, 3", got.Active, got.Connects)
	}
	out := apply(st, from("pod-1", disconnect(100, "app", "alice")))
	if out[0].Unknown || st.Summary(aggregate.Filter{User: "bob"}).Active != 2 {
		t.Fatalf("pod-1's disconnect ended pod-2's session: %+v", st.Summary(aggregate.Filter{}))
	}
	// The record keeps the origin: the restored state ends the same way.
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	st = aggregate.New(aggregate.Config{})
	if err := json.Unmarshal(b, st); err != nil {
		t.Fatal(err)
	}
	apply(st, from("pod-2", connect(200, "app", "carol", "psql")))
	rs := reset("restart")
	out = apply(st, from("pod-2", rs))
	if out[0].Ended != 3 {
		t.Errorf("pod-2's restart ended %d sessions, want its 3", out[0].Ended)
	}
	apply(st, from("pod-1", connect(100, "app", "alice", "rails")), from("pod-1", connect(300, "app", "alice", "rails")))
	out = apply(st, from("pod-1", reset("shutdown")), reset("crash"))
	if out[0].Ended != 2 || out[1].Ended != 0 || st.Summary(aggregate.Filter{}).Active != 0 {
		t.Errorf("ended %d then %d, active %d; want 2, 0, 0", out[0].Ended, out[1].Ended, st.Summary(aggregate.Filter{}).Active)
	}
}

// A stream that names one server (a syslog host, a single pod) counts
// exactly as one that names none: a restart ends every session and
// starts the peak curve afresh.
func TestOneOriginIsOneServer(t *testing.T) {
	evs := []parse.Event{
		at(tm("10:00"), connect(100, "app", "alice", "rails")),
		at(tm("10:01"), connect(101, "app", "bob", "rails")),
		at(tm("10:02"), reset("crash")),
		at(tm("10:03"), connect(102, "app", "bob", "rails")),
		at(tm("10:04"), parse.Event{Kind: parse.Disconnect, PID: 103, DB: "app", User: "carol", Duration: 5 * time.Minute}),
	}
	plain, named := aggregate.New(aggregate.Config{}), aggregate.New(aggregate.Config{})
	apply(plain, evs...)
	for _, ev := range evs {
		apply(named, from("db1", ev))
	}
	if p, n := plain.Summary(aggregate.Filter{}), named.Summary(aggregate.Filter{}); p.Active != n.Active || p.ResetEnded != n.ResetEnded {
		t.Errorf("summary with one origin %+v, without %+v", n, p)
	}
	if p, n := plain.Peak(), named.Peak(); p != n {
		t.Errorf("peak with one origin %+v, without %+v", n, p)
	}
}

// A cleared state keeps the open sessions of each origin apart: a
// disconnect after the clear ends its own origin's session.
func TestClearedKeepsOrigins(t *testing.T) {
	st := aggregate.New(aggregate.Config{})
	apply(st,
		from("pod-1", connect(100, "app", "alice", "rails")),
		from("pod-2", connect(100, "app", "bob", "rails")),
	)
	st = st.Cleared()
	out := apply(st, from("pod-2", disconnect(100, "app", "bob")), from("pod-3", disconnect(100, "app", "carol")))
	if out[0].Unknown || !out[1].Unknown {
		t.Fatalf("after a clear: pod-2's disconnect unknown %v, pod-3's %v; want false, true", out[0].Unknown, out[1].Unknown)
	}
	if got := st.Summary(aggregate.Filter{}); got.Active != 1 || st.Summary(aggregate.Filter{User: "alice"}).Active != 1 {
		t.Errorf("after a clear and pod-2's disconnect: %+v; want alice's session open", got)
	}
}

// A backend is kept by its origin and PID packed in one key: a PID
// PostgreSQL cannot print (it prints a C int) is no PID, not another
// backend's. A session on PID 7 and one on PID 2^32+7 are two sessions.
func TestPIDOutOfRange(t *testing.T) {
	st := aggregate.New(aggregate.Config{})
	apply(st,
		connect(7, "a", "alice", "psql"),
		connect(1<<32+7, "b", "bob", "psql"),
		connect(-7, "c", "carol", "psql"),
		from("pod-2", connect(7, "d", "dave", "psql")),
	)
	if got := st.Summary(aggregate.Filter{}); got.Active != 4 || got.Replaced != 0 {
		t.Fatalf("active %d, replaced %d; want 4, 0", got.Active, got.Replaced)
	}
	out := apply(st, disconnect(1<<32+7, "b", "bob"), disconnect(-7, "c", "carol"))
	if out[0].Unknown || out[1].Unknown || st.Summary(aggregate.Filter{DB: "a"}).Active != 1 {
		t.Errorf("the out-of-range PIDs' disconnects: unknown %v, %v; alice's session open: %d", out[0].Unknown, out[1].Unknown, st.Summary(aggregate.Filter{DB: "a"}).Active)
	}
	// A record whose session PID the state could not key is refused.
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(b, []byte(`"pid":7,`), []byte(`"pid":4294967303,`), 1)
	if bytes.Equal(bad, b) {
		t.Fatalf("no session with pid 7 in %s", b)
	}
	if err := json.Unmarshal(bad, aggregate.New(aggregate.Config{})); err == nil {
		t.Error("a record with a session PID over 2^32 was read")
	}
}
