package dataframe

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTime(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	cases := []struct {
		in   string
		want time.Time
	}{
		{"2019-07-23T12:28:10Z", utc(2019, 7, 23, 12, 28, 10, 0)},
		{"2019-07-23T12:28:10+00:00", utc(2019, 7, 23, 12, 28, 10, 0)},
		{"2019-07-23T14:28:10+02:00", utc(2019, 7, 23, 12, 28, 10, 0)},
		{"2019-07-23T10:28:10-02:00", utc(2019, 7, 23, 12, 28, 10, 0)},
		{"2019-07-23T14:28:10+0200", utc(2019, 7, 23, 12, 28, 10, 0)},
		{"2019-07-23T14:28:10+02", utc(2019, 7, 23, 12, 28, 10, 0)},
		{"2019-07-23t12:28:10z", utc(2019, 7, 23, 12, 28, 10, 0)},
		{"20190723T122810Z", utc(2019, 7, 23, 12, 28, 10, 0)},
		{"20190723T142810+0200", utc(2019, 7, 23, 12, 28, 10, 0)},
		{"20190723T1228Z", utc(2019, 7, 23, 12, 28, 0, 0)},
		{"20190723", utc(2019, 7, 23, 0, 0, 0, 0)},
		{"2019-05-01 00:00:00+00:00", utc(2019, 5, 1, 0, 0, 0, 0)},
		{"2019-05-01 01:00:00+02:00", utc(2019, 4, 30, 23, 0, 0, 0)},
		{"2019-05-01", utc(2019, 5, 1, 0, 0, 0, 0)},
		{"2019-05-01T00:00:00", utc(2019, 5, 1, 0, 0, 0, 0)}, // no offset: UTC
		{"2019-05-01T10:20", utc(2019, 5, 1, 10, 20, 0, 0)},  // no seconds
		{"2019-05-01T10:20Z", utc(2019, 5, 1, 10, 20, 0, 0)}, // no seconds, zone
		{"2019-05-01T00:00:00.5Z", utc(2019, 5, 1, 0, 0, 0, 500000000)},
		{"2019-05-01T00:00:00,25Z", utc(2019, 5, 1, 0, 0, 0, 250000000)},
		{"2019-05-01T00:00:00.123456+00:00", utc(2019, 5, 1, 0, 0, 0, 123456000)},
		{"2019-05-01T00:00:00.123456789Z", utc(2019, 5, 1, 0, 0, 0, 123456789)},
		{"2019-05-01T00:00:00.1234567891Z", utc(2019, 5, 1, 0, 0, 0, 123456789)}, // beyond ns: dropped
		{"20190501T000000.5Z", utc(2019, 5, 1, 0, 0, 0, 500000000)},
		{"2020-02-29", utc(2020, 2, 29, 0, 0, 0, 0)},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseTime(c.in)
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
			assert.Equal(t, time.UTC, got.Location())
		})
	}
}

func TestParseTimeRejects(t *testing.T) {
	for _, in := range []string{
		"", "2019", "2019-07", "2019-7-23", "2019-07-23T", "2019-07-23T12", "2019-07-23T12:28:10Q",
		"2019-07-23T12:28:10+2", "2019-07-23T12:28:10+02:0", "2019-07-23T12:28:10+24:00",
		"2019-13-01", "2019-00-01", "2019-02-29", "2019-04-31", "2019-07-00", "2019-07-23T24:00:00Z",
		"2019-07-23T12:60:00Z", "2019-07-23T12:28:60Z", "2019-07-23T12:28:10.Z", "2019-0723",
		"201907-23", "2019-07-23T122810Z", "20190723T12:28:10Z", "2019-07-23T12:28:10Z ",
		" 2019-07-23", "1563884890", "yesterday", "2019-07-23X12:28:10Z",
	} {
		t.Run(in, func(t *testing.T) {
			_, err := ParseTime(in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `bad time "`+in+`"`)
			assert.Contains(t, err.Error(), "20190723T122810Z")
		})
	}
}

func TestFormatTime(t *testing.T) {
	paris := time.FixedZone("CEST", 2*3600)
	assert.Equal(t, "2019-07-23T12:28:10Z", FormatTime(time.Date(2019, 7, 23, 14, 28, 10, 0, paris)))
	assert.Equal(t, "2019-07-23T12:28:10.5Z", FormatTime(time.Date(2019, 7, 23, 12, 28, 10, 5e8, time.UTC)))
	for _, s := range []string{"2019-07-23T12:28:10Z", "2019-07-23T12:28:10.000000001Z"} {
		tm, err := ParseTime(s)
		require.NoError(t, err)
		assert.Equal(t, s, FormatTime(tm))
	}
}
