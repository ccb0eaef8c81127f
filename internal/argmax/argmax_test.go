package argmax

import (
	"math"
	"slices"
	"testing"
)

func TestRows(t *testing.T) {
	nan := float32(math.NaN())
	xs := []float32{
		0, 3, 1, // largest in the middle
		2, 2, 1, // a tie: the first
		-1, nan, -2, // NaN never wins
		5, -1, 4,
	}
	if got, want := Rows(xs, 3), []int32{1, 0, 0, 0}; !slices.Equal(got, want) {
		t.Errorf("Rows = %v, want %v", got, want)
	}
}
