package lesion

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gocnn/gocnn/checkpoint"
	"github.com/gocnn/gocnn/nn/models"
)

// studyFile holds what the CSV files do not: the study's configuration
// and sizes, so that Read can rebuild its Results.
const studyFile = "study.json"

// studyInfo is the content of studyFile.
type studyInfo struct {
	Config
	ResNetName, PlainName        string
	Blocks, TestImages, BNImages int
}

func (r *Results) writeInfo(dir string) error {
	info := studyInfo{r.Config, r.ResNetName, r.PlainName, r.Blocks, r.TestImages, r.BNImages}
	err := checkpoint.WriteFileAtomic(filepath.Join(dir, studyFile), func(w io.Writer) error {
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		return e.Encode(info)
	})
	if err != nil {
		return fmt.Errorf("lesion: %w", err)
	}
	return nil
}

// Read loads the results of a study that Write saved into dir, from its
// study.json and CSV files. Errors name the file.
func Read(dir string) (*Results, error) {
	var info studyInfo
	b, err := os.ReadFile(filepath.Join(dir, studyFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("lesion: %s has no %s (not a study folder, or one written before study.json existed: run the study again)", dir, studyFile)
	}
	if err != nil {
		return nil, fmt.Errorf("lesion: %w", err)
	}
	if err := json.Unmarshal(b, &info); err != nil {
		return nil, fmt.Errorf("lesion: %s: %w", filepath.Join(dir, studyFile), err)
	}
	if info.Blocks < 1 || info.TestImages < 1 {
		return nil, fmt.Errorf("lesion: %s: %d blocks and %d test images; both must be at least 1", filepath.Join(dir, studyFile), info.Blocks, info.TestImages)
	}
	r := &Results{Config: info.Config, ResNetName: info.ResNetName, PlainName: info.PlainName,
		Blocks: info.Blocks, TestImages: info.TestImages, BNImages: info.BNImages, Counts: PathCounts(info.Blocks)}
	rd := csvReader{dir: dir, bn: info.BNImages > 0}
	if r.Base, r.Single, err = rd.single("single.csv"); err != nil {
		return nil, err
	}
	if info.PlainName != "" {
		if r.PlainBase, r.PlainSingle, err = rd.single("single_plain.csv"); err != nil {
			return nil, err
		}
	}
	if r.Random, err = rd.random(); err != nil {
		return nil, err
	}
	if r.Reorder, err = rd.reorder(); err != nil {
		return nil, err
	}
	if r.Paths, err = rd.paths(); err != nil {
		return nil, err
	}
	return r, nil
}

// csvReader reads the CSV files of one study folder; bn says whether they
// have the column of errors after the batch-norm re-estimation.
type csvReader struct {
	dir string
	bn  bool
}

// rows returns name's rows after checking its header against want.
func (c csvReader) rows(name string, want []string) ([][]string, error) {
	path := filepath.Join(c.dir, name)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lesion: %w", err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("lesion: %s: %w", path, err)
	}
	if len(all) == 0 || strings.Join(all[0], ",") != strings.Join(want, ",") {
		return nil, fmt.Errorf("lesion: %s: header is not %s", path, strings.Join(want, ","))
	}
	return all[1:], nil
}

// errorColumns are the error columns of single.csv and random.csv.
func (c csvReader) errorColumns() []string {
	if c.bn {
		return []string{"error", "error_bn_reestimated"}
	}
	return []string{"error"}
}

// cells parses a row's cells, empty ones as NaN (see num), reporting the
// first that is not a number.
type cells struct {
	path string
	line int
	row  []string
	err  error
}

func (p *cells) float(i int) float64 {
	if p.err != nil || p.row[i] == "" {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(p.row[i], 64)
	if err != nil {
		p.err = fmt.Errorf("lesion: %s line %d: %q is not a number", p.path, p.line, p.row[i])
	}
	return v
}

func (p *cells) int(i int) int {
	if p.err != nil {
		return 0
	}
	v, err := strconv.Atoi(p.row[i])
	if err != nil {
		p.err = fmt.Errorf("lesion: %s line %d: %q is not an integer", p.path, p.line, p.row[i])
	}
	return v
}

func (p *cells) bool(i int) bool {
	if p.err != nil {
		return false
	}
	v, err := strconv.ParseBool(p.row[i])
	if err != nil {
		p.err = fmt.Errorf("lesion: %s line %d: %q is not true or false", p.path, p.line, p.row[i])
	}
	return v
}

func (p *cells) ints(i int) []int {
	var out []int
	for _, f := range strings.Fields(p.row[i]) {
		v, err := strconv.Atoi(f)
		if err != nil && p.err == nil {
			p.err = fmt.Errorf("lesion: %s line %d: %q is not a list of integers", p.path, p.line, p.row[i])
		}
		out = append(out, v)
	}
	return out
}

// errors parses the error columns from i on.
func (c csvReader) errors(p *cells, i int) Errors {
	e := Errors{Error: p.float(i), Reestimated: math.NaN()}
	if c.bn {
		e.Reestimated = p.float(i + 1)
	}
	return e
}

// each calls parse on every row of name, with cells that locate errors.
func (c csvReader) each(name string, header []string, parse func(p *cells)) error {
	rows, err := c.rows(name, header)
	if err != nil {
		return err
	}
	for i, row := range rows {
		p := &cells{path: filepath.Join(c.dir, name), line: i + 2, row: row}
		if parse(p); p.err != nil {
			return p.err
		}
	}
	return nil
}

func (c csvReader) single(name string) (base Errors, rows []SingleRow, err error) {
	err = c.each(name, append([]string{"block", "name", "downsample", "deletable"}, c.errorColumns()...), func(p *cells) {
		s := SingleRow{Index: p.int(0), Block: models.Block{Name: p.row[1], Downsample: p.bool(2), Deletable: p.bool(3)}, Errors: c.errors(p, 4)}
		if s.Index < 0 {
			base = s.Errors
			return
		}
		rows = append(rows, s)
	})
	return base, rows, err
}

func (c csvReader) random() (rows []RandomRow, err error) {
	header := append(append([]string{"k", "draw"}, c.errorColumns()...), "deleted")
	err = c.each("random.csv", header, func(p *cells) {
		rows = append(rows, RandomRow{K: p.int(0), Draw: p.int(1), Errors: c.errors(p, 2), Deleted: p.ints(len(header) - 1)})
	})
	return rows, err
}

func (c csvReader) reorder() (rows []ReorderRow, err error) {
	err = c.each("reorder.csv", []string{"swaps", "draw", "kendall_tau", "error", "order"}, func(p *cells) {
		rows = append(rows, ReorderRow{K: p.int(0), Draw: p.int(1), Tau: p.float(2), Error: p.float(3), Order: p.ints(4)})
	})
	return rows, err
}

// paths reads the measured lengths of paths.csv (those with samples).
func (c csvReader) paths() (rows []PathRow, err error) {
	err = c.each("paths.csv", []string{"length", "paths", "fraction", "samples", "grad_mean", "grad_std", "grad_total"}, func(p *cells) {
		if row := (PathRow{Length: p.int(0), Samples: p.int(3), Mean: p.float(4), Std: p.float(5)}); row.Samples > 0 {
			rows = append(rows, row)
		}
	})
	return rows, err
}
