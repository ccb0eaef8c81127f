// Package argmax picks the most likely class of each row of scores: the
// predictions of gocnn.Model.Predict, train's segmentation metrics and the
// lesion study's top-1 errors.
package argmax

// Rows returns, for each row of k values of xs, the index of its largest
// value; the first one wins a tie, and a NaN never wins.
func Rows(xs []float32, k int) []int32 {
	out := make([]int32, len(xs)/k)
	for i := range out {
		row := xs[i*k : (i+1)*k]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		out[i] = int32(best)
	}
	return out
}
