package train

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// plotRecords is a made-up run: 12 epochs of a step schedule.
func plotRecords() []Record {
	var recs []Record
	for e := 1; e <= 12; e++ {
		tr := NewRecord(e, int64(e*390), "train")
		tr.Loss = 2.3 * math.Exp(-float64(e)/5)
		tr.Top1 = 100 - 90*math.Exp(-float64(e)/4)
		tr.LR = 0.1 * math.Pow(0.1, float64((e-1)/4))
		va := NewRecord(e, int64(e*390), "val")
		va.Loss = tr.Loss * 1.1
		va.Top1, va.Top5 = tr.Top1-5, math.Min(100, tr.Top1+10)
		recs = append(recs, tr, va)
	}
	return recs
}

func TestPlotCurves(t *testing.T) {
	dir := t.TempDir()
	if p := os.Getenv("GOCNN_PLOT_DIR"); p != "" {
		dir = p // to look at the plot
	}
	path := filepath.Join(dir, "curves.png")
	for _, recs := range [][]Record{nil, plotRecords()} {
		if err := PlotCurves(path, recs, 800, 900); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 900 {
			t.Fatalf("PNG is %dx%d, want 800x900", b.Dx(), b.Dy())
		}
	}
}
