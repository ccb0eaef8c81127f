package train

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMetricsLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	l, err := OpenMetricsLog(path)
	if err != nil {
		t.Fatal(err)
	}
	r1 := NewRecord(1, 390, "train")
	r1.Loss, r1.Top1, r1.LR, r1.ImgPerSec = 2.5, 31.25, 0.1, 480
	r1.Time = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r1.PerDevice = map[string]map[string]float64{"gpu0": {"mem_gib": 3.5}}
	r2 := NewRecord(1, 390, "val")
	r2.Loss, r2.MIoU, r2.IoU = math.Inf(1), 61.5, []float64{61.5, math.NaN()}
	for _, r := range []Record{r1, r2} {
		if err := l.Append(r, true); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()

	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"top1":31.25`) || !strings.Contains(lines[0], `"top5":null`) ||
		!strings.Contains(lines[0], `"per_device":{"gpu0":{"mem_gib":3.5}}`) || !strings.Contains(lines[1], `"loss":null`) ||
		strings.Contains(lines[0], `"iou"`) || !strings.Contains(lines[1], `"iou":[61.5,null]`) {
		t.Fatalf("file:\n%s", b)
	}

	// A crash mid-line: reopening cuts the torn line off.
	os.WriteFile(path, append(b, `{"epoch":2,"ste`...), 0o644)
	l, err = OpenMetricsLog(path)
	if err != nil {
		t.Fatal(err)
	}
	r3 := NewRecord(2, 780, "train")
	r3.Loss = 1.5
	if err := l.Append(r3, false); err != nil {
		t.Fatal(err)
	}
	l.Close()

	recs, err := ReadMetricsLog(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3", len(recs))
	}
	g := recs[0]
	if g.Epoch != 1 || g.Step != 390 || g.Split != "train" || g.Loss != 2.5 || g.Top1 != 31.25 || g.LR != 0.1 ||
		g.ImgPerSec != 480 || !math.IsNaN(g.Top5) || !math.IsNaN(g.MIoU) || !g.Time.Equal(r1.Time) || g.PerDevice["gpu0"]["mem_gib"] != 3.5 {
		t.Errorf("record 0 read back as %+v, want %+v", g, r1)
	}
	if !math.IsNaN(recs[1].Loss) || recs[1].MIoU != 61.5 || len(recs[1].IoU) != 2 || recs[1].IoU[0] != 61.5 ||
		!math.IsNaN(recs[1].IoU[1]) || recs[0].IoU != nil || recs[2].Loss != 1.5 || recs[2].Epoch != 2 {
		t.Errorf("records 1, 2 read back as %+v %+v", recs[1], recs[2])
	}

	os.WriteFile(path, []byte("{\"epoch\":1}\nnot json\n"), 0o644)
	if _, err := ReadMetricsLog(path); err == nil || !strings.Contains(err.Error(), path+":2") {
		t.Errorf("malformed line: error %v, want one naming %s:2", err, path)
	}
}
