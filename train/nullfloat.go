package train

import (
	"encoding/json"
	"math"
	"strconv"
)

// nullFloat is a float64 that JSON carries as null when it is NaN or
// infinite (JSON has no such numbers), and that reads null back as NaN.
// Metrics use NaN for "not measured".
type nullFloat float64

func (f nullFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

func (f *nullFloat) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = nullFloat(math.NaN())
		return nil
	}
	var v float64
	err := json.Unmarshal(b, &v)
	*f = nullFloat(v)
	return err
}

func toNullFloats(m map[string]float64) map[string]nullFloat {
	if m == nil {
		return nil
	}
	out := make(map[string]nullFloat, len(m))
	for k, v := range m {
		out[k] = nullFloat(v)
	}
	return out
}

func fromNullFloats(m map[string]nullFloat) map[string]float64 {
	if m == nil {
		return nil
	}
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = float64(v)
	}
	return out
}
