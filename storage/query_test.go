package storage

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris without a system zoneinfo database
)

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

func TestParseTimeMatch(t *testing.T) {
	for in, want := range map[string]TimeMatch{"": TimeMatchStart, "start": TimeMatchStart, "inside": TimeMatchInside} {
		got, err := ParseTimeMatch(in)
		if err != nil || got != want {
			t.Errorf("ParseTimeMatch(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"Start", "overlap", " start"} {
		_, err := ParseTimeMatch(bad)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), bad) {
			t.Errorf("ParseTimeMatch(%q): %v, want ErrInvalid naming it", bad, err)
		}
	}
}

func TestTimeMatchMatches(t *testing.T) {
	h := func(n int) time.Time { return utc(2024, 1, 1, n, 0) }
	var zero time.Time
	for _, c := range []struct {
		name                     string
		begin, until, start, end time.Time
		wantStart, wantInside    bool
	}{
		{"inside the window", h(1), h(5), h(2), h(3), true, true},
		{"start at begin", h(1), h(5), h(1), h(2), true, true},
		{"before begin", h(1), h(5), h(0), h(2), false, false},
		{"straddling the end", h(1), h(5), h(4), h(6), true, false},
		{"ending at the end", h(1), h(5), h(4), h(5), true, true},
		{"starting at the end", h(1), h(5), h(5), h(6), false, false},
		{"after the end", h(1), h(5), h(7), h(8), false, false},
		{"open begin", zero, h(5), h(0), h(1), true, true},
		{"open begin, straddling the end", zero, h(5), h(4), h(6), true, false},
		{"open begin, starting at the end", zero, h(5), h(5), h(6), false, false},
		{"open end", h(1), zero, h(100), h(101), true, true},
		{"open end, before begin", h(1), zero, h(0), h(2), false, false},
		{"both open", zero, zero, h(3), h(4), true, true},
	} {
		if got := TimeMatchStart.Matches(c.begin, c.until, c.start, c.end); got != c.wantStart {
			t.Errorf("%s: start mode = %v, want %v", c.name, got, c.wantStart)
		}
		if got := TimeMatchInside.Matches(c.begin, c.until, c.start, c.end); got != c.wantInside {
			t.Errorf("%s: inside mode = %v, want %v", c.name, got, c.wantInside)
		}
		if got := TimeMatch("").Matches(c.begin, c.until, c.start, c.end); got != c.wantStart {
			t.Errorf("%s: empty mode = %v, want start mode's %v", c.name, got, c.wantStart)
		}
	}
}

func TestTimeMatchIgnoresZones(t *testing.T) {
	east := time.FixedZone("UTC+2", 2*3600)
	// 02:00+02:00 is 00:00Z: the frame starting then is at begin.
	if !TimeMatchStart.Matches(utc(2024, 1, 1, 0, 0).In(east), utc(2024, 1, 1, 1, 0), utc(2024, 1, 1, 0, 0), utc(2024, 1, 1, 1, 0)) {
		t.Error("a begin given in another zone did not match the same instant")
	}
}

func TestDefaultRange(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name       string
		now        time.Time
		loc        *time.Location
		begin, end time.Time
	}{
		{"mid-month", utc(2024, 5, 17, 12, 0), nil, utc(2024, 5, 1, 0, 0), utc(2024, 6, 1, 0, 0)},
		{"first instant", utc(2024, 5, 1, 0, 0), time.UTC, utc(2024, 5, 1, 0, 0), utc(2024, 6, 1, 0, 0)},
		{"last instant", utc(2024, 5, 31, 23, 59).Add(59*time.Second + 999*time.Millisecond), time.UTC, utc(2024, 5, 1, 0, 0), utc(2024, 6, 1, 0, 0)},
		{"December to January", utc(2023, 12, 31, 12, 0), time.UTC, utc(2023, 12, 1, 0, 0), utc(2024, 1, 1, 0, 0)},
		{"February of a leap year", utc(2024, 2, 29, 12, 0), time.UTC, utc(2024, 2, 1, 0, 0), utc(2024, 3, 1, 0, 0)},
		// 23:30Z on 31 Jan is 00:30 on 1 Feb in Paris: February there.
		{"a zone already in the next month", utc(2024, 1, 31, 23, 30), paris,
			time.Date(2024, 2, 1, 0, 0, 0, 0, paris), time.Date(2024, 3, 1, 0, 0, 0, 0, paris)},
		// 03:00Z on 1 Jan is 22:00 on 31 Dec in UTC-5: still December there.
		{"a zone still in the previous month", utc(2024, 1, 1, 3, 0), time.FixedZone("UTC-5", -5*3600),
			time.Date(2023, 12, 1, 0, 0, 0, 0, time.FixedZone("UTC-5", -5*3600)), time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("UTC-5", -5*3600))},
		// March in Paris spans the switch to summer time: 23:00Z to 22:00Z.
		{"a month with a DST change", utc(2024, 3, 15, 0, 0), paris, utc(2024, 2, 29, 23, 0), utc(2024, 3, 31, 22, 0)},
	} {
		b, e := DefaultRange(c.now, c.loc)
		if !b.Equal(c.begin) || !e.Equal(c.end) {
			t.Errorf("%s: DefaultRange(%v, %v) = [%v, %v), want [%v, %v)", c.name, c.now, c.loc, b, e, c.begin, c.end)
		}
	}
}

func TestWindowResolve(t *testing.T) {
	now := utc(2024, 5, 17, 12, 0)
	mayBegin, juneBegin := utc(2024, 5, 1, 0, 0), utc(2024, 6, 1, 0, 0)
	for _, c := range []struct {
		name       string
		in         Window
		begin, end time.Time
	}{
		{"both zero", Window{}, mayBegin, juneBegin},
		{"zero begin", Window{End: utc(2024, 5, 10, 0, 0)}, mayBegin, utc(2024, 5, 10, 0, 0)},
		{"zero end", Window{Begin: utc(2024, 4, 1, 0, 0)}, utc(2024, 4, 1, 0, 0), juneBegin},
		{"both set", Window{Begin: utc(2020, 1, 1, 0, 0), End: utc(2020, 1, 2, 0, 0)}, utc(2020, 1, 1, 0, 0), utc(2020, 1, 2, 0, 0)},
	} {
		c.in.Filters = Filters{"project_id": {"p"}}
		got, err := c.in.Resolve(now, time.UTC)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !got.Begin.Equal(c.begin) || !got.End.Equal(c.end) || got.Filters["project_id"][0] != "p" {
			t.Errorf("%s: Resolve = %+v, want [%v, %v) with the filters kept", c.name, got, c.begin, c.end)
		}
	}
	for _, w := range []Window{
		{Begin: utc(2024, 5, 2, 0, 0), End: utc(2024, 5, 2, 0, 0)},
		{Begin: utc(2024, 5, 3, 0, 0), End: utc(2024, 5, 2, 0, 0)},
		{Begin: utc(2024, 7, 1, 0, 0)}, // after the default end
		{End: utc(2024, 4, 1, 0, 0)},   // before the default begin
	} {
		_, err := w.Resolve(now, time.UTC)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "is not before") {
			t.Errorf("Resolve(%+v): %v, want ErrInvalid", w, err)
		}
	}
}

func TestWindowCheckOpen(t *testing.T) {
	d := func(n int) time.Time { return utc(2024, 5, n, 0, 0) }
	for _, w := range []Window{
		{},
		{Begin: d(1)},
		{End: d(1)},
		{Begin: d(1), End: d(2)},
		{Filters: Filters{"project_id": {"a", "b"}, "type": {"instance"}}},
	} {
		if err := w.CheckOpen(); err != nil {
			t.Errorf("CheckOpen(%+v): %v", w, err)
		}
	}
	for _, c := range []struct {
		w        Window
		mentions string
	}{
		{Window{Begin: d(2), End: d(2)}, "is not before"},
		{Window{Begin: d(3), End: d(2)}, "is not before"},
		{Window{Filters: Filters{"": {"x"}}}, "empty key"},
		{Window{Filters: Filters{"project_id": {}}}, `"project_id" has no values`},
		{Window{Filters: Filters{"project_id": nil}}, `"project_id" has no values`},
	} {
		err := c.w.CheckOpen()
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.mentions) {
			t.Errorf("CheckOpen(%+v): %v, want ErrInvalid mentioning %s", c.w, err, c.mentions)
		}
	}
}

func TestPage(t *testing.T) {
	for _, c := range []struct{ offset, limit, want int }{
		{0, 0, DefaultLimit},
		{0, 1, 1},
		{5, 10, 10},
		{1 << 30, 5000, 5000},
	} {
		got, err := Page(c.offset, c.limit)
		if err != nil || got != c.want {
			t.Errorf("Page(%d, %d) = %d, %v; want %d", c.offset, c.limit, got, err, c.want)
		}
	}
	if DefaultLimit != 1000 {
		t.Errorf("DefaultLimit = %d, want CloudKitty's 1000", DefaultLimit)
	}
	for _, c := range []struct {
		offset, limit int
		mentions      string
	}{
		{0, -1, "limit -1"},
		{-1, 10, "offset -1"},
		{-5, -5, "offset -5"},
	} {
		_, err := Page(c.offset, c.limit)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.mentions) {
			t.Errorf("Page(%d, %d): %v, want ErrInvalid mentioning %s", c.offset, c.limit, err, c.mentions)
		}
	}
}

func TestFiltersMatchesLabels(t *testing.T) {
	gb := map[string]string{"project_id": "8d3ae500-89ea-4142-9c6e-1269db6a0b64", "id": "r1", "region": "eu-1"}
	md := map[string]string{"flavor": "M1.Large", "region": "us", "project_id": "other"}
	for _, c := range []struct {
		name string
		f    Filters
		want bool
	}{
		{"no filters", nil, true},
		{"empty filters", Filters{}, true},
		{"groupby value", Filters{"project_id": {"8d3ae500-89ea-4142-9c6e-1269db6a0b64"}}, true},
		{"metadata value", Filters{"flavor": {"M1.Large"}}, true},
		{"case-sensitive", Filters{"flavor": {"m1.large"}}, false},
		{"no partial match", Filters{"project_id": {"8d3ae500"}}, false},
		{"values ORed", Filters{"flavor": {"m1.nano", "M1.Large"}}, true},
		{"none of the values", Filters{"flavor": {"m1.nano", "m1.small"}}, false},
		{"keys ANDed", Filters{"flavor": {"M1.Large"}, "id": {"r1"}}, true},
		{"one key fails", Filters{"flavor": {"M1.Large"}, "id": {"r2"}}, false},
		{"key in groupby and metadata matches either", Filters{"region": {"us"}}, true},
		{"key in groupby and metadata matches groupby", Filters{"region": {"eu-1"}}, true},
		{"metadata project_id also matches", Filters{"project_id": {"other"}}, true},
		{"unknown key", Filters{"user": {"u"}}, false},
		{"type key", Filters{"type": {"instance"}}, true},
		{"type key in a list", Filters{"type": {"volume", "instance"}}, true},
		{"type key mismatch", Filters{"type": {"volume"}}, false},
		{"type key is not a label", Filters{"type": {"r1"}}, false},
		{"empty value list matches nothing", Filters{"flavor": {}}, false},
	} {
		if got := c.f.MatchesLabels("instance", gb, md); got != c.want {
			t.Errorf("%s: %v.MatchesLabels = %v, want %v", c.name, c.f, got, c.want)
		}
	}
	if !(Filters{"type": {"instance"}}).MatchesLabels("instance", nil, nil) {
		t.Error("type filter against nil label maps did not match")
	}
	if (Filters{"k": {""}}).MatchesLabels("instance", nil, nil) {
		t.Error(`filter k="" matched a point without k`)
	}
	if !(Filters{"k": {""}}).MatchesLabels("instance", map[string]string{"k": ""}, nil) {
		t.Error(`filter k="" did not match a point with k=""`)
	}
}
