package storage

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// CloudKitty's test_storage_unit.py cases for parse_groupby_syntax_to_groupby_elements.
func TestMapGroupbySyntaxCloudKittyCases(t *testing.T) {
	for _, c := range []struct {
		name    string
		in, out []string
	}{
		{"no time groupby", []string{"something"}, []string{"something"}},
		{"time groupby", []string{"something", "time"}, []string{"something", "time"}},
		{"odd time element is left as is", []string{"something", "time-odd-time-element"}, []string{"something", "time-odd-time-element"}},
		{"all time options", []string{"something", "time", "time-d", "time-w", "time-m", "time-y"},
			[]string{"something", "time", "day_of_the_year", "week_of_the_year", "month", "year"}},
		{"substring quirk maps any element with time and one dash", []string{"lifetime-d", "uptime-y"}, []string{"day_of_the_year", "year"}},
		{"elements without time keep their dashes", []string{"project-id", "calendar-day"}, []string{"project-id", "calendar-day"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := MapGroupbySyntax(c.in)
			if err != nil {
				t.Fatalf("MapGroupbySyntax(%q): %v", c.in, err)
			}
			if !slices.Equal(got, c.out) {
				t.Errorf("MapGroupbySyntax(%q) = %q, want %q", c.in, got, c.out)
			}
		})
	}
}

func TestMapGroupbySyntaxNoGroupby(t *testing.T) {
	got, err := MapGroupbySyntax(nil)
	if err != nil || got != nil {
		t.Errorf("MapGroupbySyntax(nil) = %q, %v; want nil, nil", got, err)
	}
	got, err = MapGroupbySyntax([]string{})
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("MapGroupbySyntax([]) = %#v, %v; want an empty slice", got, err)
	}
}

func TestMapGroupbySyntaxDoesNotChangeItsInput(t *testing.T) {
	in := []string{"time-d", "type"}
	if _, err := MapGroupbySyntax(in); err != nil {
		t.Fatal(err)
	}
	if in[0] != "time-d" {
		t.Errorf("input changed to %q", in)
	}
}

func TestMapGroupbySyntaxWrongTimeFrame(t *testing.T) {
	for _, c := range []struct{ elem, text string }{
		{"time-u", "Invalid groupby time option. There is no groupby processing for [time-u]."},
		{"uptime-x", "Invalid groupby time option. There is no groupby processing for [uptime-x]."},
		{"time-", "Invalid groupby time option. There is no groupby processing for [time-]."},
		{"time-D", "There is no groupby processing for [time-D]."},
	} {
		_, err := MapGroupbySyntax([]string{"something", c.elem})
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("MapGroupbySyntax(%q): %v, want ErrInvalid", c.elem, err)
			continue
		}
		if !strings.Contains(err.Error(), c.text) {
			t.Errorf("MapGroupbySyntax(%q): %q does not contain CloudKitty's text %q", c.elem, err, c.text)
		}
	}
}

func TestParseGroupbyKinds(t *testing.T) {
	got, err := ParseGroupby([]string{"type", "project_id", "time-d", "time", "time-odd-time-element"})
	if err != nil {
		t.Fatal(err)
	}
	want := []GroupElem{
		{GroupType, "type"},
		{GroupLabel, "project_id"},
		{GroupLabel, "day_of_the_year"},
		{GroupTime, "time"},
		{GroupLabel, "time-odd-time-element"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ParseGroupby = %v, want %v", got, want)
	}
	var cols []string
	for _, e := range got {
		cols = append(cols, e.Column())
	}
	if wantCols := []string{"type", "project_id", "day_of_the_year", "", "time-odd-time-element"}; !slices.Equal(cols, wantCols) {
		t.Errorf("columns = %q, want %q", cols, wantCols)
	}
}

func TestParseGroupbyCalendarUnits(t *testing.T) {
	for _, unit := range []string{"day", "week", "month", "year"} {
		got, err := ParseGroupby([]string{"calendar-" + unit, "type"})
		if err != nil {
			t.Errorf("calendar-%s: %v", unit, err)
			continue
		}
		if got[0] != (GroupElem{GroupCalendar, unit}) || got[0].Column() != "" {
			t.Errorf("calendar-%s parsed as %v (column %q)", unit, got[0], got[0].Column())
		}
	}
	for _, bad := range []string{"calendar-hour", "calendar-", "calendar-Day", "calendar-days"} {
		_, err := ParseGroupby([]string{bad})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), bad) {
			t.Errorf("ParseGroupby(%q): %v, want ErrInvalid naming it", bad, err)
		}
	}
}

func TestParseGroupbyRejects(t *testing.T) {
	for _, c := range []struct {
		in       []string
		mentions string
	}{
		{[]string{"type", "type"}, `"type" given twice`},
		{[]string{"project_id", "project_id"}, `"project_id" given twice`},
		{[]string{"time-y", "year"}, `"year" given twice`},
		{[]string{"time-m", "time-m"}, `"time-m" given twice`},
		{[]string{"time", "time"}, `"time" given twice`},
		{[]string{"time", "calendar-day"}, `"time" and "calendar-day"`},
		{[]string{"calendar-week", "type", "calendar-month"}, `"calendar-week" and "calendar-month"`},
		{[]string{"type", ""}, "groupby[1] is empty"},
		{[]string{" "}, "groupby[0] is empty"},
		{[]string{"time-u"}, "[time-u]"},
	} {
		_, err := ParseGroupby(c.in)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.mentions) {
			t.Errorf("ParseGroupby(%q): %v, want ErrInvalid mentioning %s", c.in, err, c.mentions)
		}
	}
}

func TestParseGroupbyEmpty(t *testing.T) {
	for _, in := range [][]string{nil, {}} {
		got, err := ParseGroupby(in)
		if err != nil || len(got) != 0 {
			t.Errorf("ParseGroupby(%#v) = %v, %v; want no elements", in, got, err)
		}
	}
}
