package jsonw

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every float64 survives encode and decode bit for bit (except the sign of zero, which JSON keeps
// but == ignores).
func TestFloatRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	values := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 0.00123456, 1e-6, 9.99999e-7, 1e-7, 1e20, 1e21,
		math.MaxFloat64, math.SmallestNonzeroFloat64, -math.MaxFloat64, 16777217, 1 << 53, 1<<53 + 2, 375.0022206}
	for range 20000 {
		v := math.Float64frombits(r.Uint64())
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			values = append(values, v)
		}
		values = append(values, r.Float64()*1000, float64(r.Int64N(1<<60)))
	}
	for _, v := range values {
		s := string(AppendFloat(nil, v))
		got, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err, s)
		require.Equal(t, math.Float64bits(v), math.Float64bits(got), "%v encoded as %s", v, s)
		require.True(t, json.Valid([]byte(s)), "%s is not a JSON number", s)
		// and it is the same text encoding/json writes
		want, err := json.Marshal(v)
		require.NoError(t, err)
		require.Equal(t, string(want), s)
	}
	assert.Equal(t, "0.00123456", string(AppendFloat(nil, 0.00123456)))
	assert.Equal(t, "1e-7", string(AppendFloat(nil, 1e-7)))
	assert.Equal(t, "1e+21", string(AppendFloat(nil, 1e21)))
	assert.Equal(t, "100000000000000000000", string(AppendFloat(nil, 1e20)))
}

// AppendString writes what encoding/json reads back as the same string as json.Marshal's output.
func TestAppendString(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	inputs := []string{"", "plain", "\"\\/\b\f\n\r\t\x00\x1f\x7f", "<>&", "é日本\u2028\u2029😀", "\xff", "a\xc3", "\xed\xa0\x80"}
	for range 5000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		inputs = append(inputs, string(b))
	}
	for _, s := range inputs {
		enc := AppendString(nil, s)
		require.True(t, json.Valid(enc), "%q → %s", s, enc)
		var got, want string
		require.NoError(t, json.Unmarshal(enc, &got))
		ref, err := json.Marshal(s)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(ref, &want))
		require.Equal(t, want, got, "%q", s)
	}
	assert.Equal(t, `"a\"b\\c\nd\u0001<>&"`, string(AppendString(nil, "a\"b\\c\nd\x01<>&")))
}
