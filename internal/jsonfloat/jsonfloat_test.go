package jsonfloat

import (
	"encoding/json"
	"math"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	in := map[string]float64{"a": 1.5, "nan": math.NaN(), "inf": math.Inf(-1)}
	b, err := json.Marshal(Map[Float](in))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"a":1.5,"inf":null,"nan":null}`; got != want {
		t.Fatalf("JSON %s, want %s", got, want)
	}
	var back map[string]Float
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	out := Map[float64](back)
	if len(out) != 3 || out["a"] != 1.5 || !math.IsNaN(out["nan"]) || !math.IsNaN(out["inf"]) {
		t.Errorf("read back %v", out)
	}
	if Map[Float, float64](nil) != nil || Map[float64, Float](nil) != nil {
		t.Error("nil maps do not stay nil")
	}
	var f Float
	if err := json.Unmarshal([]byte(`"x"`), &f); err == nil {
		t.Error("a string read as a number")
	}
}
