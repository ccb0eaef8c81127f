package lesion

import (
	"cmp"
	"fmt"
	"math"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"

	"github.com/gocnn/gocnn/internal/figure"
)

// compareFiles are the PNGs Compare draws, one per experiment, with one
// curve per study.
var compareFiles = []string{"depth_single.png", "depth_random.png", "depth_reorder.png", "depth_paths.png"}

// plotComparison draws compareFiles into dir. Positions and counts of
// blocks are fractions of each network's blocks, so that networks of
// different depths share an axis.
func plotComparison(dir string, studies []*Results) error {
	bn := slices.ContainsFunc(studies, func(r *Results) bool { return r.BNImages > 0 })
	reestimated := func(e Errors) float64 { return e.Reestimated }
	measured := func(e Errors) float64 { return e.Error }
	single := []*plot.Plot{errorPanel("deleting one block", "position of the deleted block (fraction of the blocks)", studies, func(r *Results) plotter.XYs { return r.singleCurve(measured) })}
	random := []*plot.Plot{errorPanel("deleting random blocks", "fraction of the blocks deleted", studies, func(r *Results) plotter.XYs { return r.randomCurve(r.randomStats()) })}
	if bn {
		single = append(single, errorPanel("deleting one block, BN re-estimated", "position of the deleted block (fraction of the blocks)", studies, func(r *Results) plotter.XYs { return r.singleCurve(reestimated) }))
		random = append(random, errorPanel("deleting random blocks, BN re-estimated", "fraction of the blocks deleted", studies, func(r *Results) plotter.XYs { return r.randomCurve(r.randomStatsReestimated()) }))
	}
	reorder := []*plot.Plot{errorPanel("reordering blocks (mean per number of swaps)", "Kendall tau", studies, (*Results).reorderCurve)}
	reorder[0].X.Max = 1
	paths := []*plot.Plot{
		comparePanel("distribution of path length", "path length", "fraction of paths", studies, func(r *Results) plotter.XYs { return r.pathCurve(func(s pathStat) float64 { return s.fraction }) }),
		comparePanel("gradient magnitude per path", "path length", "grad magnitude at input", studies, func(r *Results) plotter.XYs { return r.pathCurve(func(s pathStat) float64 { return s.mean }) }),
		comparePanel("share of the total gradient", "path length", "fraction of the total", studies, (*Results).gradientShareCurve),
	}
	figure.LogY(paths[1])
	for i, ps := range [][]*plot.Plot{single, random, reorder, paths} {
		if err := figure.SavePNG(filepath.Join(dir, compareFiles[i]), [][]*plot.Plot{ps}, 480*len(ps), 400); err != nil {
			return fmt.Errorf("lesion: %w", err)
		}
	}
	return nil
}

// errorPanel is comparePanel of test errors, from 0 up.
func errorPanel(title, x string, studies []*Results, curve func(*Results) plotter.XYs) *plot.Plot {
	p := comparePanel(title, x, "test error", studies, curve)
	p.Y.Min = 0
	return p
}

// comparePanel draws curve(r) for every study.
func comparePanel(title, x, y string, studies []*Results, curve func(*Results) plotter.XYs) *plot.Plot {
	p := figure.New(title, x, y)
	for i, r := range studies {
		figure.AddLine(p, r.label(), curve(r), plotutil.Color(i))
	}
	p.Legend.Top = true
	return p
}

// singleCurve is the error after deleting each deletable block, at the
// block's position as a fraction of the blocks.
func (r *Results) singleCurve(err func(Errors) float64) plotter.XYs {
	var xys plotter.XYs
	for _, s := range r.Single {
		if s.Deletable && !math.IsNaN(err(s.Errors)) {
			xys = append(xys, plotter.XY{X: (float64(s.Index) + 0.5) / float64(r.Blocks), Y: err(s.Errors)})
		}
	}
	return xys
}

// randomCurve is the mean error over draws against k as a fraction of the
// blocks.
func (r *Results) randomCurve(stats []kStat) plotter.XYs {
	var xys plotter.XYs
	for _, s := range stats {
		if !math.IsNaN(s.mean) {
			xys = append(xys, plotter.XY{X: float64(s.k) / float64(r.Blocks), Y: s.mean})
		}
	}
	return xys
}

// reorderCurve is the mean error per number of swaps against the mean
// Kendall tau, in the order of tau so that the line does not zigzag.
func (r *Results) reorderCurve() plotter.XYs {
	var xys plotter.XYs
	for _, s := range r.reorderStats() {
		xys = append(xys, plotter.XY{X: s.tau, Y: s.mean})
	}
	slices.SortFunc(xys, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
	return xys
}

// pathCurve is v of every path length with a measured positive value.
func (r *Results) pathCurve(v func(pathStat) float64) plotter.XYs {
	var xys plotter.XYs
	for _, s := range r.pathTable() {
		if y := v(s); y > 0 {
			xys = append(xys, plotter.XY{X: float64(s.length), Y: y})
		}
	}
	return xys
}

// gradientShareCurve is each length's share of the total gradient
// magnitude over the measured lengths, so that depths compare.
func (r *Results) gradientShareCurve() plotter.XYs {
	xys := r.pathCurve(func(s pathStat) float64 { return s.total })
	sum := 0.0
	for _, xy := range xys {
		sum += xy.Y
	}
	for i := range xys {
		xys[i].Y /= sum
	}
	return xys
}
