package lesion

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/gocnn/gocnn/checkpoint"
)

// writeFile writes a file through write, atomically; errors name it.
func writeFile(path string, write func(io.Writer) error) error {
	if err := checkpoint.WriteFileAtomic(path, write); err != nil {
		return fmt.Errorf("lesion: %w", err)
	}
	return nil
}

// writeCSV writes a header and rows.
func writeCSV(w io.Writer, header []string, rows [][]string) error {
	c := csv.NewWriter(w)
	if err := c.Write(header); err != nil {
		return err
	}
	if err := c.WriteAll(rows); err != nil {
		return err
	}
	return c.Error()
}

// num formats a float for a CSV file or a table: empty for NaN.
func num(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

func ints(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, " ")
}

// writeSingle writes one row per block, after a row "-1,full" for the
// whole network.
func (r *Results) writeSingle(w io.Writer, base Errors, rows []SingleRow) error {
	out := [][]string{r.errorCells([]string{"-1", "full", "false", "false"}, base)}
	for _, x := range rows {
		out = append(out, r.errorCells([]string{strconv.Itoa(x.Index), x.Name, strconv.FormatBool(x.Downsample), strconv.FormatBool(x.Deletable)}, x.Errors))
	}
	return writeCSV(w, r.errorHeader([]string{"block", "name", "downsample", "deletable"}), out)
}

func (r *Results) writeRandom(w io.Writer) error {
	var out [][]string
	for _, x := range r.Random {
		out = append(out, append(r.errorCells([]string{strconv.Itoa(x.K), strconv.Itoa(x.Draw)}, x.Errors), ints(x.Deleted)))
	}
	return writeCSV(w, append(r.errorHeader([]string{"k", "draw"}), "deleted"), out)
}

// errorHeader appends the names of errorCells' columns to cells.
func (r *Results) errorHeader(cells []string) []string {
	if r.BNImages > 0 {
		return append(cells, "error", "error_bn_reestimated")
	}
	return append(cells, "error")
}

// errorCells appends the error to cells, and the error after the
// batch-norm re-estimation when it was measured: the column is left out,
// not empty, of a study that did not re-estimate, whose files are then
// the ones earlier versions wrote.
func (r *Results) errorCells(cells []string, e Errors) []string {
	if r.BNImages > 0 {
		return append(cells, num(e.Error), num(e.Reestimated))
	}
	return append(cells, num(e.Error))
}

func (r *Results) writeReorder(w io.Writer) error {
	var out [][]string
	for _, x := range r.Reorder {
		out = append(out, []string{strconv.Itoa(x.K), strconv.Itoa(x.Draw), num(x.Tau), num(x.Error), ints(x.Order)})
	}
	return writeCSV(w, []string{"swaps", "draw", "kendall_tau", "error", "order"}, out)
}

// writePaths writes, for every length, the exact number of paths, their
// fraction of all 2^n, and the measured gradient (empty when not
// measured) with its total over the paths of that length.
func (r *Results) writePaths(w io.Writer) error {
	var out [][]string
	for _, p := range r.pathTable() {
		out = append(out, []string{strconv.Itoa(p.length), p.count.String(), num(p.fraction), strconv.Itoa(p.samples), num(p.mean), num(p.std), num(p.total)})
	}
	return writeCSV(w, []string{"length", "paths", "fraction", "samples", "grad_mean", "grad_std", "grad_total"}, out)
}
