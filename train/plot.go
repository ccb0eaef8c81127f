package train

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"

	"github.com/gocnn/gocnn/internal/figure"
)

// curve is one line of a panel: a metric of the records of one split.
type curve struct {
	split, label string
	value        func(Record) float64
}

// panels lists the three stacked plots: title, y label, curves.
var panels = []struct {
	title, ylabel string
	curves        []curve
	logY          bool
	legendBottom  bool // where rising curves leave room
}{
	{"loss", "loss", []curve{
		{"train", "train", func(r Record) float64 { return r.Loss }},
		{"val", "val", func(r Record) float64 { return r.Loss }},
	}, false, false},
	{"accuracy", "%", []curve{
		{"train", "train top-1", func(r Record) float64 { return r.Top1 }},
		{"val", "val top-1", func(r Record) float64 { return r.Top1 }},
		{"val", "val top-5", func(r Record) float64 { return r.Top5 }},
		{"val", "val mIoU", func(r Record) float64 { return r.MIoU }},
		{"val", "val pixel acc", func(r Record) float64 { return r.PixelAcc }},
	}, false, true},
	{"learning rate", "lr", []curve{
		{"train", "lr", func(r Record) float64 { return r.LR }},
	}, true, false},
}

// PlotCurves draws the loss, accuracy and learning-rate curves of recs
// against the epoch as three stacked panels into a width x height pixel PNG
// at path, replacing it atomically. Not-measured (NaN) values are skipped,
// and a curve with no values is left out.
func PlotCurves(path string, recs []Record, width, height int) error {
	var plots [][]*plot.Plot
	for _, pn := range panels {
		p := figure.New(pn.title, "epoch", pn.ylabel)
		p.Legend.Top = !pn.legendBottom
		minY, maxY := math.Inf(1), math.Inf(-1)
		for i, c := range pn.curves {
			var xys plotter.XYs
			for _, r := range recs {
				if v := c.value(r); r.Split == c.split && !math.IsNaN(v) && !math.IsInf(v, 0) {
					xys = append(xys, plotter.XY{X: float64(r.Epoch), Y: v})
					minY, maxY = min(minY, v), max(maxY, v)
				}
			}
			figure.AddLine(p, c.label, xys, plotutil.Color(i))
		}
		// Step schedules span decades; a log axis keeps every phase visible.
		if pn.logY && minY > 0 && maxY/minY > 10 {
			figure.LogY(p)
		}
		plots = append(plots, []*plot.Plot{p})
	}
	return figure.SavePNG(path, plots, width, height)
}
