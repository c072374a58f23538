package storage

import (
	"fmt"
	"strings"
)

// GroupKind says what a parsed groupby element groups by.
type GroupKind int

// The kinds of groupby elements.
const (
	GroupLabel    GroupKind = iota // a stored groupby label: groupby.<Key>
	GroupType                      // the metric type
	GroupTime                      // the frame: rows take the frame's start and end
	GroupCalendar                  // a calendar bucket of start: rows take the bucket's bounds
)

// CalendarUnits are the units of the calendar-* groupbys.
var CalendarUnits = []string{"day", "week", "month", "year"}

// timeCommands is CloudKitty's TIME_COMMANDS_MAP.
var timeCommands = map[string]string{"d": "day_of_the_year", "w": "week_of_the_year", "m": "month", "y": "year"}

// GroupElem is one parsed groupby element.
type GroupElem struct {
	Kind GroupKind
	Key  string // the label key (GroupLabel), "type" (GroupType), "time" (GroupTime) or the calendar unit (GroupCalendar)
}

// Column is the row column this element adds, or "" for time and calendar groupings.
func (g GroupElem) Column() string {
	switch g.Kind {
	case GroupLabel, GroupType:
		return g.Key
	}
	return ""
}

// MapGroupbySyntax applies CloudKitty's groupby syntax: an element containing "time" with exactly
// one dash is mapped through time-d/w/m/y (an unknown suffix is an error), other elements are kept.
func MapGroupbySyntax(groupbys []string) ([]string, error) {
	if len(groupbys) == 0 {
		return groupbys, nil
	}
	out := make([]string, 0, len(groupbys))
	for _, g := range groupbys {
		if strings.Contains(g, "time") {
			parts := strings.Split(g, "-")
			if len(parts) == 2 {
				mapped, ok := timeCommands[parts[1]]
				if !ok {
					return nil, fmt.Errorf("%w: Invalid groupby time option. There is no groupby processing for [%s].", ErrInvalid, g)
				}
				g = mapped
			}
		}
		out = append(out, g)
	}
	return out, nil
}

// ParseGroupby maps CloudKitty's syntax and classifies each element; it rejects empty and
// duplicate elements, unknown calendar units, and more than one time or calendar grouping.
func ParseGroupby(groupbys []string) ([]GroupElem, error) {
	mapped, err := MapGroupbySyntax(groupbys)
	if err != nil {
		return nil, err
	}
	elems := make([]GroupElem, 0, len(mapped))
	seen := map[string]bool{}
	periodic := ""
	for i, g := range mapped {
		var e GroupElem
		switch {
		case strings.TrimSpace(g) == "":
			return nil, fmt.Errorf("%w: groupby[%d] is empty", ErrInvalid, i)
		case g == "type":
			e = GroupElem{Kind: GroupType, Key: "type"}
		case g == "time":
			e = GroupElem{Kind: GroupTime, Key: "time"}
		case strings.HasPrefix(g, "calendar-"):
			unit := strings.TrimPrefix(g, "calendar-")
			if !isCalendarUnit(unit) {
				return nil, fmt.Errorf("%w: unknown groupby %q (calendar units: %s)", ErrInvalid, groupbys[i], strings.Join(CalendarUnits, ", "))
			}
			e = GroupElem{Kind: GroupCalendar, Key: unit}
		default:
			e = GroupElem{Kind: GroupLabel, Key: g}
		}
		if seen[g] {
			return nil, fmt.Errorf("%w: groupby %q given twice", ErrInvalid, groupbys[i])
		}
		seen[g] = true
		if e.Kind == GroupTime || e.Kind == GroupCalendar {
			if periodic != "" {
				return nil, fmt.Errorf("%w: groupby %q and %q both set the row period; use one", ErrInvalid, periodic, groupbys[i])
			}
			periodic = groupbys[i]
		}
		elems = append(elems, e)
	}
	return elems, nil
}

func isCalendarUnit(u string) bool {
	for _, c := range CalendarUnits {
		if u == c {
			return true
		}
	}
	return false
}
