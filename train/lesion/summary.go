package lesion

import (
	"math"
	"math/big"
	"slices"
)

// kStat summarises the draws of one k of Random or Reorder.
type kStat struct {
	k, n                int     // n: the draws summarised
	mean, std, min, max float64 // of the error
	tau                 float64 // mean Kendall tau (Reorder)
}

func summarise(ks []int, errs, taus []float64) []kStat {
	var out []kStat
	for i := 0; i < len(ks); {
		j := i
		for j < len(ks) && ks[j] == ks[i] {
			j++
		}
		s := kStat{k: ks[i], n: j - i, min: math.Inf(1), max: math.Inf(-1)}
		s.mean, s.std = meanStd(errs[i:j])
		for _, e := range errs[i:j] {
			s.min, s.max = min(s.min, e), max(s.max, e)
		}
		if taus != nil {
			s.tau, _ = meanStd(taus[i:j])
		}
		out = append(out, s)
		i = j
	}
	return out
}

func (r *Results) randomStats() []kStat {
	return r.randomStatsOf(measuredError, everyDraw)
}

// randomStatsReestimated summarises the errors after the batch-norm
// re-estimation (NaN when not measured).
func (r *Results) randomStatsReestimated() []kStat {
	return r.randomStatsOf(reestimatedError, everyDraw)
}

func measuredError(e Errors) float64    { return e.Error }
func reestimatedError(e Errors) float64 { return e.Reestimated }
func everyDraw(RandomRow) bool          { return true }

// randomStatsOf summarises err over the random draws that keep says to
// keep; a k without such a draw is left out.
func (r *Results) randomStatsOf(err func(Errors) float64, keep func(RandomRow) bool) []kStat {
	var ks []int
	var errs []float64
	for _, x := range r.Random {
		if keep(x) {
			ks, errs = append(ks, x.K), append(errs, err(x.Errors))
		}
	}
	return summarise(ks, errs, nil)
}

// sparesDownsampling reports whether a random draw deleted none of the
// blocks that downsample: with type-A shortcuts such a deletion zeroes
// half of the next stage's channels, which alone can send the error to
// chance, so these draws show what deleting blocks that keep their shape
// costs.
func (r *Results) sparesDownsampling(x RandomRow) bool {
	for _, s := range r.Single {
		if s.Downsample && slices.Contains(x.Deleted, s.Index) {
			return false
		}
	}
	return true
}

func (r *Results) reorderStats() []kStat {
	var ks []int
	var errs, taus []float64
	for _, x := range r.Reorder {
		ks, errs, taus = append(ks, x.K), append(errs, x.Error), append(taus, x.Tau)
	}
	return summarise(ks, errs, taus)
}

// pathStat is one path length: how many paths, and the gradient along
// one and along all of them.
type pathStat struct {
	length, samples int
	count           *big.Int
	fraction        float64
	mean, std       float64 // NaN when not measured
	total           float64 // count * mean
}

func (r *Results) pathTable() []pathStat {
	all := new(big.Int).Lsh(big.NewInt(1), uint(len(r.Counts)-1))
	measured := map[int]PathRow{}
	for _, p := range r.Paths {
		measured[p.Length] = p
	}
	var out []pathStat
	for k, c := range r.Counts {
		f, _ := new(big.Rat).SetFrac(c, all).Float64()
		cf, _ := new(big.Float).SetInt(c).Float64()
		s := pathStat{length: k, count: c, fraction: f, mean: math.NaN(), std: math.NaN(), total: math.NaN()}
		if p, ok := measured[k]; ok {
			s.samples, s.mean, s.std, s.total = p.Samples, p.Mean, p.Std, cf*p.Mean
		}
		out = append(out, s)
	}
	return out
}
