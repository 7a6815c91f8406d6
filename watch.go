package main

import (
	"github.com/pgtail/pgtail/aggregate"
	"github.com/pgtail/pgtail/format"
	"github.com/pgtail/pgtail/parse"
)

// apply adds one event to the state and, under --watch, writes it to
// stdout when the filters let it through and it is not quiet (a line a
// follower found already written). The error is a failed write. It runs
// under t.mu (readEvents).
func (t *tracker) apply(ev *parse.Event, quiet bool) error {
	o := t.st.Apply(ev)
	switch {
	case ev.Kind == parse.Reset:
		t.started = true // sessions after a server start are all seen starting
	case o.Unknown && !t.started:
		t.unseen++
	}
	t.rec.changed()
	if !t.cmd.Watch || quiet || !t.shows(o) {
		return nil
	}
	var err error
	if t.cmd.JSON {
		err = format.WatchJSON(t.out, o)
	} else {
		err = format.Watch(t.out, o, t.colors)
	}
	if err == nil {
		err = t.out.Flush()
	}
	return err
}

// shows reports whether the watch view shows o under the filters.
func (t *tracker) shows(o aggregate.Outcome) bool {
	if o.Event.Kind == parse.Reset {
		return true
	}
	return t.cmd.filter().Match(aggregate.NamesOf(o.Event))
}
