package figure

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
)

// TestSavePNG draws a 2x2 grid of panels, one with a log axis and one
// whose only point is NaN (drawn as nothing), and checks the PNG's size
// in pixels.
func TestSavePNG(t *testing.T) {
	var grid [][]*plot.Plot
	for r := range 2 {
		var row []*plot.Plot
		for c := range 2 {
			p := New("panel", "x", "y")
			xys := plotter.XYs{{X: 1, Y: 1e-4}, {X: 2, Y: 1e-2}}
			if r == 1 && c == 1 {
				xys = plotter.XYs{{X: 1, Y: math.NaN()}}
			}
			AddLine(p, "line", xys, plotutil.Color(c))
			if r == 0 && c == 1 {
				LogY(p)
			}
			row = append(row, p)
		}
		grid = append(grid, row)
	}
	path := filepath.Join(t.TempDir(), "f.png")
	if err := SavePNG(path, grid, 640, 480); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 640 || b.Dy() != 480 {
		t.Errorf("PNG is %dx%d, want 640x480", b.Dx(), b.Dy())
	}
}

// TestLogYLabelsAtMostEightDecades checks that a log axis over 40 decades
// labels between 4 and 8 of them, and one over 3 decades every one.
func TestLogYLabelsAtMostEightDecades(t *testing.T) {
	for _, c := range []struct {
		min, max     float64
		fewest, most int
	}{{1e-40, 1e-1, maxLogLabels / 2, maxLogLabels}, {1e-3, 1, 4, 4}} {
		p := New("", "", "")
		LogY(p)
		var labels []string
		for _, tick := range p.Y.Tick.Marker.Ticks(c.min, c.max) {
			if tick.Label != "" {
				labels = append(labels, tick.Label)
			}
		}
		if len(labels) < c.fewest || len(labels) > c.most {
			t.Errorf("%g to %g: labels %q, want %d to %d of them", c.min, c.max, labels, c.fewest, c.most)
		}
	}
}
