package storage

import (
	"regexp"
	"testing"
	"time"
)

func TestPointIDDeterministic(t *testing.T) {
	start := time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)
	gb := map[string]string{"project_id": "p", "id": "r1"}
	a := PointID("instance", start, start.Add(time.Hour), gb, 0)
	for range 20 { // map iteration order varies from call to call
		if b := PointID("instance", start, start.Add(time.Hour), map[string]string{"id": "r1", "project_id": "p"}, 0); b != a {
			t.Fatalf("PointID changed between calls: %s, then %s", a, b)
		}
	}
	if !regexp.MustCompile(`^[0-9a-f]{40}$`).MatchString(a) {
		t.Errorf("PointID = %q, want 40 lower-case hex digits", a)
	}
	// Fixed values: drivers persist ids, so a changed derivation would make re-pushes duplicate
	// the points stored before it.
	if want := "5aa425c3c0970e05c2a3cbe598bc0ebefedd939f"; a != want {
		t.Errorf("PointID = %s, want %s", a, want)
	}
	if got, want := PointID("instance", start, start.Add(time.Hour), gb, 1), "23875d542ec74a35a5185be0cc094f6b81e88866"; got != want {
		t.Errorf("PointID with ordinal 1 = %s, want %s", got, want)
	}
}

func TestPointIDIgnoresTimeZones(t *testing.T) {
	start := time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)
	east := time.FixedZone("UTC+9", 9*3600)
	a := PointID("instance", start, start.Add(time.Hour), nil, 0)
	b := PointID("instance", start.In(east), start.Add(time.Hour).In(east), nil, 0)
	if a != b {
		t.Errorf("the same instants in another zone give another id: %s, %s", a, b)
	}
}

func TestPointIDSensitiveToEachComponent(t *testing.T) {
	start := time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.Add(time.Hour)
	gb := map[string]string{"project_id": "p", "id": "r1"}
	base := PointID("instance", start, end, gb, 0)
	seen := map[string]string{base: "base"}
	for name, id := range map[string]string{
		"type":                 PointID("instance.size", start, end, gb, 0),
		"start":                PointID("instance", start.Add(time.Nanosecond), end, gb, 0),
		"end":                  PointID("instance", start, end.Add(time.Millisecond), gb, 0),
		"ordinal":              PointID("instance", start, end, gb, 1),
		"groupby value":        PointID("instance", start, end, map[string]string{"project_id": "P", "id": "r1"}, 0),
		"groupby key":          PointID("instance", start, end, map[string]string{"project": "p", "id": "r1"}, 0),
		"extra groupby key":    PointID("instance", start, end, map[string]string{"project_id": "p", "id": "r1", "user": ""}, 0),
		"fewer groupby keys":   PointID("instance", start, end, map[string]string{"project_id": "p"}, 0),
		"no groupby":           PointID("instance", start, end, nil, 0),
		"identity key":         IdentityKey("instance", start, end, gb),
		"key/value boundary":   PointID("instance", start, end, map[string]string{"project_idp": "", "id": "r1"}, 0),
		"type/groupby overlap": PointID("instancep", start, end, map[string]string{"roject_id": "p", "id": "r1"}, 0),
	} {
		if other, dup := seen[id]; dup {
			t.Errorf("changing the %s gives the same id as %s: %s", name, other, id)
		}
		seen[id] = name
	}
}

func TestPointIDNilAndEmptyGroupbyAreTheSame(t *testing.T) {
	start := time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)
	if PointID("a", start, start.Add(time.Hour), nil, 0) != PointID("a", start, start.Add(time.Hour), map[string]string{}, 0) {
		t.Error("nil and empty groupby give different ids")
	}
}

func TestIdentityKeyIgnoresNothingButTheOrdinal(t *testing.T) {
	start := time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)
	gb := map[string]string{"id": "x"}
	k := IdentityKey("a", start, start.Add(time.Hour), gb)
	if k != IdentityKey("a", start, start.Add(time.Hour), map[string]string{"id": "x"}) {
		t.Error("IdentityKey is not deterministic")
	}
	for i := range 3 {
		if PointID("a", start, start.Add(time.Hour), gb, i) == k {
			t.Errorf("ordinal %d gives the identity key", i)
		}
	}
	if k == IdentityKey("a", start, start.Add(time.Hour), map[string]string{"id": "y"}) {
		t.Error("IdentityKey ignores the groupby")
	}
}

func TestPointIDsReuseMatchesPointID(t *testing.T) {
	var p PointIDs
	start := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	for i, gb := range []map[string]string{{"id": "a"}, {"id": "b", "project_id": "p"}, {}, nil} {
		if got, want := p.ID("instance", start, start.Add(time.Hour), gb, i), PointID("instance", start, start.Add(time.Hour), gb, i); got != want {
			t.Errorf("PointIDs.ID = %s, PointID = %s", got, want)
		}
	}
	gb := map[string]string{"id": "b", "project_id": "p"}
	if n := testing.AllocsPerRun(100, func() { p.ID("instance", start, start, gb, 0) }); n > 1 {
		t.Errorf("PointIDs.ID allocates %v times per call, want at most 1 (the id)", n)
	}
}
