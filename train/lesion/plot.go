package lesion

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gocnn/gocnn/internal/figure"
)

// plotFiles are the PNGs Write makes, after the paper's figures.
var plotFiles = []string{"fig3_single.png", "fig4a_random.png", "fig4b_reorder.png", "fig6_paths.png"}

var (
	downColor = color.RGBA{R: 200, A: 255}
	// bnColor marks the errors after the batch-norm re-estimation.
	bnColor = color.RGBA{G: 150, A: 255}
)

// plot draws the study's figures into dir.
func (r *Results) plot(dir string) error {
	figs := [][]*plot.Plot{r.singlePlots(), {r.randomPlot()}, {r.reorderPlot()}, r.pathPlots()}
	for i, ps := range figs {
		if err := figure.SavePNG(filepath.Join(dir, plotFiles[i]), [][]*plot.Plot{ps}, 480*len(ps), 400); err != nil {
			return fmt.Errorf("lesion: %w", err)
		}
	}
	return nil
}

// singlePlots are Figure 3: test error against the deleted block, for the
// plain network (when measured) and the residual one, with the full
// network's error as a dashed line and downsampling blocks in red; the
// errors after the batch-norm re-estimation, when measured, as crosses.
func (r *Results) singlePlots() []*plot.Plot {
	var ps []*plot.Plot
	if r.PlainSingle != nil {
		ps = append(ps, r.singlePlot("plain "+r.PlainName, "deleted layer", r.PlainBase, r.PlainSingle))
	}
	return append(ps, r.singlePlot("residual "+r.ResNetName, "deleted block", r.Base, r.Single))
}

func (r *Results) singlePlot(title, x string, base Errors, rows []SingleRow) *plot.Plot {
	p := figure.New(title, x, "test error")
	var same, down, bn plotter.XYs
	for _, s := range rows {
		if !s.Deletable {
			continue
		}
		xy := plotter.XY{X: float64(s.Index), Y: s.Error}
		if s.Downsample {
			down = append(down, xy)
		} else {
			same = append(same, xy)
		}
		bn = append(bn, plotter.XY{X: xy.X, Y: s.Reestimated})
	}
	addPoints(p, "deleted", same, plotutil.Color(0), draw.CircleGlyph{})
	addPoints(p, "downsampling block", down, downColor, draw.TriangleGlyph{})
	addHLine(p, "full network", base.Error, float64(len(rows)-1), color.Black)
	if r.BNImages > 0 {
		addPoints(p, "deleted, BN re-estimated", bn, bnColor, draw.CrossGlyph{})
		addHLine(p, "full network, BN re-estimated", base.Reestimated, float64(len(rows)-1), bnColor)
	}
	p.Y.Min = 0
	return p
}

// randomPlot is Figure 4a: the mean error over draws against the number
// of deleted blocks, with one standard deviation as error bars.
func (r *Results) randomPlot() *plot.Plot {
	p := figure.New("deleting random blocks", "blocks deleted", "test error")
	var xys plotter.XYs
	var errs plotter.YErrors
	for _, s := range r.randomStats() {
		xys = append(xys, plotter.XY{X: float64(s.k), Y: s.mean})
		errs = append(errs, struct{ Low, High float64 }{s.std, s.std})
	}
	figure.AddLine(p, "mean over draws", xys, plotutil.Color(0))
	if bars, err := plotter.NewYErrorBars(struct {
		plotter.XYer
		plotter.YErrorer
	}{xys, errs}); err == nil {
		p.Add(bars)
	}
	if r.BNImages > 0 {
		var bn plotter.XYs
		for _, s := range r.randomStatsReestimated() {
			bn = append(bn, plotter.XY{X: float64(s.k), Y: s.mean})
		}
		figure.AddLine(p, "mean, BN re-estimated", bn, bnColor)
	}
	addHLine(p, "full network", r.Base.Error, float64(len(xys)), color.Black)
	if r.BNImages > 0 {
		addHLine(p, "full network, BN re-estimated", r.Base.Reestimated, float64(len(xys)), bnColor)
	}
	p.Y.Min = 0
	return p
}

// reorderPlot is Figure 4b: the error of every draw against its Kendall
// tau, and the mean of both per number of swaps.
func (r *Results) reorderPlot() *plot.Plot {
	p := figure.New("reordering blocks", "Kendall tau", "test error")
	var all, means plotter.XYs
	for _, x := range r.Reorder {
		all = append(all, plotter.XY{X: x.Tau, Y: x.Error})
	}
	for _, s := range r.reorderStats() {
		means = append(means, plotter.XY{X: s.tau, Y: s.mean})
	}
	addPoints(p, "one draw", all, color.Gray{Y: 150}, draw.CircleGlyph{})
	// Points, not a line: the mean tau of successive swap counts need not
	// fall monotonically, and a line through them would zigzag.
	addPoints(p, "mean per number of swaps", means, plotutil.Color(0), draw.SquareGlyph{})
	p.X.Max = 1
	p.Y.Min = 0
	return p
}

// pathPlots are Figure 6: the distribution of path lengths, the gradient
// magnitude along one path by length, and the total over the paths of each
// length.
func (r *Results) pathPlots() []*plot.Plot {
	var dist, grad, total plotter.XYs
	for _, s := range r.pathTable() {
		x := float64(s.length)
		dist = append(dist, plotter.XY{X: x, Y: s.fraction})
		if !math.IsNaN(s.mean) && s.mean > 0 {
			grad = append(grad, plotter.XY{X: x, Y: s.mean})
			total = append(total, plotter.XY{X: x, Y: s.total})
		}
	}
	a := figure.New("distribution of path length", "path length", "fraction of paths")
	figure.AddLine(a, "", dist, plotutil.Color(0))
	ps := []*plot.Plot{a}
	if len(grad) > 0 {
		b := figure.New("gradient magnitude per path", "path length", "grad magnitude at input")
		figure.AddLine(b, "", grad, plotutil.Color(1))
		figure.LogY(b)
		c := figure.New("total gradient per path length", "path length", "total grad magnitude")
		figure.AddLine(c, "", total, plotutil.Color(2))
		ps = append(ps, b, c)
	}
	return ps
}

func addPoints(p *plot.Plot, label string, xys plotter.XYs, c color.Color, g draw.GlyphDrawer) {
	if len(xys) == 0 {
		return
	}
	s, err := plotter.NewScatter(xys)
	if err != nil {
		return // only NaN or Inf values, which Scatter rejects: nothing to draw
	}
	s.Color, s.Shape = c, g
	p.Add(s)
	p.Legend.Add(label, s)
}

// addHLine draws y = v from 0 to xMax, dashed, in c.
func addHLine(p *plot.Plot, label string, v, xMax float64, c color.Color) {
	l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: v}, {X: xMax, Y: v}})
	if err != nil {
		return
	}
	l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	l.Color = c
	p.Add(l)
	p.Legend.Add(label, l)
}
