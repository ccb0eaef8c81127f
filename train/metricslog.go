package train

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/gocnn/gocnn/internal/jsonfloat"
)

// Record is one line of the metrics log. Float fields hold NaN when not
// measured (top-1 in segmentation, mIoU in classification, ...), which the
// file carries as null. Accuracies and mIoU are percentages.
type Record struct {
	Epoch    int     `json:"epoch"`
	Step     int64   `json:"step"`
	Split    string  `json:"split"` // "train", "val" or "ema val" (-model-ema)
	Loss     float64 `json:"loss"`
	Top1     float64 `json:"top1"`
	Top5     float64 `json:"top5"`
	MIoU     float64 `json:"miou"`
	PixelAcc float64 `json:"pixel_acc"`
	// IoU holds each class's intersection over union in percent
	// (segmentation validation; NaN, written null, for a class absent from
	// targets and predictions); nil otherwise.
	IoU       []float64 `json:"iou,omitempty"`
	LR        float64   `json:"lr"`
	ImgPerSec float64   `json:"img_per_s"`
	Time      time.Time `json:"time"`      // wall clock
	Elapsed   float64   `json:"elapsed_s"` // seconds since the run started
	// PerDevice holds optional per-device numbers (memory, utilisation),
	// keyed by device name, e.g. {"gpu0": {"mem_gib": 31.5}}.
	PerDevice map[string]map[string]float64 `json:"per_device,omitempty"`
}

// NewRecord returns a Record with every float field NaN (not measured).
func NewRecord(epoch int, step int64, split string) Record {
	nan := math.NaN()
	return Record{Epoch: epoch, Step: step, Split: split, Loss: nan, Top1: nan, Top5: nan,
		MIoU: nan, PixelAcc: nan, LR: nan, ImgPerSec: nan, Elapsed: nan}
}

// recordFields has no methods, so recordJSON can embed it without recursing
// into Record's.
type recordFields Record

// recordJSON shadows Record's float fields with null-capable ones.
type recordJSON struct {
	recordFields
	Loss      jsonfloat.Float   `json:"loss"`
	Top1      jsonfloat.Float   `json:"top1"`
	Top5      jsonfloat.Float   `json:"top5"`
	MIoU      jsonfloat.Float   `json:"miou"`
	PixelAcc  jsonfloat.Float   `json:"pixel_acc"`
	IoU       []jsonfloat.Float `json:"iou,omitempty"`
	LR        jsonfloat.Float   `json:"lr"`
	ImgPerSec jsonfloat.Float   `json:"img_per_s"`
	Elapsed   jsonfloat.Float   `json:"elapsed_s"`
}

// MarshalJSON writes NaN and infinite fields as null.
func (r Record) MarshalJSON() ([]byte, error) {
	f := func(v float64) jsonfloat.Float { return jsonfloat.Float(v) }
	return json.Marshal(recordJSON{recordFields(r), f(r.Loss), f(r.Top1), f(r.Top5),
		f(r.MIoU), f(r.PixelAcc), convertFloats[jsonfloat.Float](r.IoU), f(r.LR), f(r.ImgPerSec), f(r.Elapsed)})
}

// UnmarshalJSON reads null and absent float fields as NaN.
func (r *Record) UnmarshalJSON(b []byte) error {
	nan := jsonfloat.Float(math.NaN())
	j := recordJSON{Loss: nan, Top1: nan, Top5: nan, MIoU: nan, PixelAcc: nan, LR: nan, ImgPerSec: nan, Elapsed: nan}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Record(j.recordFields)
	r.Loss, r.Top1, r.Top5, r.MIoU = float64(j.Loss), float64(j.Top1), float64(j.Top5), float64(j.MIoU)
	r.PixelAcc, r.LR, r.ImgPerSec, r.Elapsed = float64(j.PixelAcc), float64(j.LR), float64(j.ImgPerSec), float64(j.Elapsed)
	r.IoU = convertFloats[float64](j.IoU)
	return nil
}

// convertFloats converts each element of s; nil stays nil.
func convertFloats[To, From ~float64](s []From) []To {
	if s == nil {
		return nil
	}
	out := make([]To, len(s))
	for i, v := range s {
		out[i] = To(v)
	}
	return out
}

// MetricsLog appends Records to a JSON-lines file (metrics.jsonl).
type MetricsLog struct {
	f    *os.File
	path string
}

// OpenMetricsLog opens path for appending, creating it if needed. A last
// line torn by a crash is cut off so the next record starts a clean line.
func OpenMetricsLog(path string) (*MetricsLog, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	b, err := io.ReadAll(f)
	if err == nil {
		err = f.Truncate(int64(bytes.LastIndexByte(b, '\n') + 1))
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekEnd)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	return &MetricsLog{f: f, path: path}, nil
}

// Append writes r as one line; with sync it also fsyncs the file (once per
// epoch is plenty).
func (l *MetricsLog) Append(r Record, sync bool) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("train: %s: %w", l.path, err)
	}
	if _, err := l.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("train: %s: %w", l.path, err)
	}
	if sync {
		if err := l.f.Sync(); err != nil {
			return fmt.Errorf("train: %s: %w", l.path, err)
		}
	}
	return nil
}

// Close closes the file.
func (l *MetricsLog) Close() error { return l.f.Close() }

// ReadMetricsLog returns the records in path (to redraw the plot of a
// resumed run); a malformed line gives an error naming the file and line.
func ReadMetricsLog(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	defer f.Close()
	var recs []Record
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("train: %s:%d: %w", path, line, err)
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	return recs, nil
}
