// Package figure is the plot set-up that train's curves and the lesion
// study's figures share: panels with a grid and labels, lines with their
// points, log axes, and PNGs written atomically at a size in pixels.
package figure

import (
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/gocnn/gocnn/checkpoint"
)

// dpi maps plot lengths to pixels: at 96 dpi a size in pixels is exactly
// the PNG's size.
const dpi = 96

// New returns a panel with a title, axis labels and a grid.
func New(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, x, y
	p.Add(plotter.NewGrid())
	return p
}

// AddLine draws xys on p as a line through round points of colour c, with
// a legend entry unless label is "". Nothing is drawn for no points, or
// for points that are all NaN or infinite.
func AddLine(p *plot.Plot, label string, xys plotter.XYs, c color.Color) {
	if len(xys) == 0 {
		return
	}
	l, pts, err := plotter.NewLinePoints(xys)
	if err != nil {
		return // only NaN or Inf values: nothing to draw
	}
	l.Color, pts.Color, pts.Shape = c, c, draw.CircleGlyph{}
	p.Add(l, pts)
	if label != "" {
		p.Legend.Add(label, l, pts)
	}
}

// LogY puts p's y axis on a log scale, ticks labelled with one significant
// digit (1e-05, not 9.999999999999999e-06), at most maxLogLabels of them.
func LogY(p *plot.Plot) {
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = decadeTicks{plot.LogTicks{Prec: 1}}
}

// maxLogLabels is the most decades a log axis labels: a gradient that
// falls over 40 decades would otherwise print 40 overlapping labels.
const maxLogLabels = 8

// decadeTicks are LogTicks that label every n-th decade, n the least that
// keeps maxLogLabels labels or fewer; the others stay as unlabelled ticks.
type decadeTicks struct{ plot.LogTicks }

// Ticks implements plot.Ticker.
func (d decadeTicks) Ticks(min, max float64) []plot.Tick {
	ticks := d.LogTicks.Ticks(min, max)
	var labelled []int
	for i, t := range ticks {
		if t.Label != "" {
			labelled = append(labelled, i)
		}
	}
	every := (len(labelled) + maxLogLabels - 1) / maxLogLabels
	for j, i := range labelled {
		if j%every != 0 {
			ticks[i].Label = ""
		}
	}
	return ticks
}

// SavePNG draws the panels, one or more rows of equal length, into a
// width x height pixel PNG at path, replacing it atomically (see
// checkpoint.WriteFileAtomic). Panels are aligned: those of a row share
// their data area's top and bottom, those of a column its left and right.
func SavePNG(path string, panels [][]*plot.Plot, width, height int) error {
	img := vgimg.NewWith(vgimg.UseWH(vg.Length(width)*vg.Inch/dpi, vg.Length(height)*vg.Inch/dpi), vgimg.UseDPI(dpi))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(panels), Cols: len(panels[0]), PadTop: 4, PadBottom: 4, PadLeft: 4, PadRight: 8, PadX: 12, PadY: 8}
	for i, row := range plot.Align(panels, tiles, dc) {
		for j, c := range row {
			panels[i][j].Draw(c)
		}
	}
	return checkpoint.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}
