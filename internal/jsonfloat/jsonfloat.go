// Package jsonfloat carries NaN and infinite float64 values through JSON,
// which has no such numbers, as null: gocnn marks a metric that was not
// measured with NaN, in the metrics log and in checkpoints alike.
package jsonfloat

import (
	"encoding/json"
	"math"
	"strconv"
)

// Float is a float64 that marshals to null when it is NaN or infinite and
// reads null back as NaN.
type Float float64

// MarshalJSON writes f, or null for NaN and infinities.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON reads a number, or null as NaN.
func (f *Float) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = Float(math.NaN())
		return nil
	}
	var v float64
	err := json.Unmarshal(b, &v)
	*f = Float(v)
	return err
}

// Map returns m with its values converted to To: Map[Float] before
// encoding a map of float64, Map[float64] after decoding one. nil stays
// nil.
func Map[To, From ~float64](m map[string]From) map[string]To {
	if m == nil {
		return nil
	}
	out := make(map[string]To, len(m))
	for k, v := range m {
		out[k] = To(v)
	}
	return out
}
