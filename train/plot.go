package train

import (
	"fmt"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// plotDPI maps plot lengths to pixels: at 96 dpi a PlotCurves size in
// pixels is exactly the PNG's size.
const plotDPI = 96

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
		p := plot.New()
		p.Title.Text = pn.title
		p.X.Label.Text = "epoch"
		p.Y.Label.Text = pn.ylabel
		p.Legend.Top = !pn.legendBottom
		p.Add(plotter.NewGrid())
		minY, maxY := math.Inf(1), math.Inf(-1)
		for i, c := range pn.curves {
			var xys plotter.XYs
			for _, r := range recs {
				if v := c.value(r); r.Split == c.split && !math.IsNaN(v) && !math.IsInf(v, 0) {
					xys = append(xys, plotter.XY{X: float64(r.Epoch), Y: v})
					minY, maxY = min(minY, v), max(maxY, v)
				}
			}
			if len(xys) == 0 {
				continue
			}
			line, points, err := plotter.NewLinePoints(xys)
			if err != nil {
				return fmt.Errorf("train: plotting %s: %w", c.label, err)
			}
			line.Color, points.Color = plotutil.Color(i), plotutil.Color(i)
			points.Shape = draw.CircleGlyph{}
			p.Add(line, points)
			p.Legend.Add(c.label, line, points)
		}
		// Step schedules span decades; a log axis keeps every phase visible.
		if pn.logY && minY > 0 && maxY/minY > 10 {
			p.Y.Scale = plot.LogScale{}
			p.Y.Tick.Marker = plot.LogTicks{Prec: 1} // one significant digit: 1e-05, not 9.999999999999999e-06
		}
		plots = append(plots, []*plot.Plot{p})
	}
	img := vgimg.NewWith(vgimg.UseWH(vg.Length(width)*vg.Inch/plotDPI, vg.Length(height)*vg.Inch/plotDPI), vgimg.UseDPI(plotDPI))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadTop: 4, PadBottom: 4, PadLeft: 4, PadRight: 8, PadY: 8}
	for i, row := range plot.Align(plots, tiles, dc) {
		plots[i][0].Draw(row[0])
	}
	return WriteFileAtomic(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}
