package train

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/gocnn/gocnn/data"
)

// memAvailable returns the memory the system can give without swapping,
// in bytes: MemAvailable in /proc/meminfo. Tests replace it.
var memAvailable = func() (int64, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/meminfo: MemAvailable %q", rest)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("/proc/meminfo has no MemAvailable")
}

// cache wraps the splits in data.Caches for -cache-dataset, each when its
// estimated size fits in what is left of half the available memory, the
// validation split first, and returns the line that says what is cached.
// Validation images are cached after their resize and crop, which draw
// nothing random, when the batches are uint8 (on GPUs), where that gives
// the same batches; otherwise, as training images, decoded, before every
// transform.
func (ds *dataSource) cache(cfg *Config) (string, error) {
	const flag = "-cache-dataset: "
	if cfg.EvalOnly {
		return flag + "-eval-only reads each image once; nothing cached", nil
	}
	if data.InMemory(ds.train) && data.InMemory(ds.val) {
		return flag + "the images are already in memory, decoded; nothing to cache", nil
	}
	avail, err := memAvailable()
	if err != nil {
		return flag + err.Error() + "; nothing cached", nil
	}
	budget := avail / 2
	mem := data.NewCacheMemory(budget)
	left := budget
	var cached, notCached []string
	// finish appended the normalisation to the validation transforms:
	// the rest is the resize and crop.
	var bake []data.Transform
	if cfg.pixelsOnDevice() {
		bake = ds.valTfm[:len(ds.valTfm)-1]
	}
	for _, split := range []struct {
		name string
		ds   *data.Dataset
		bake []data.Transform
	}{{"validation", &ds.val, bake}, {"training", &ds.train, nil}} {
		if data.InMemory(*split.ds) {
			continue
		}
		what := split.name + " images decoded"
		if len(split.bake) > 0 {
			what = split.name + " images resized and cropped"
		}
		est, err := data.CacheEstimate(*split.ds, split.bake)
		if err != nil || est > left {
			notCached = append(notCached, fmt.Sprintf("%s (~%.1f MiB)", what, mib(est)))
			continue
		}
		c, err := data.NewCache(*split.ds, split.bake, mem)
		if err != nil {
			return "", err
		}
		*split.ds = c
		if len(split.bake) > 0 {
			ds.valTfm = ds.valTfm[len(split.bake):]
		}
		left -= est
		cached = append(cached, fmt.Sprintf("%s (~%.1f MiB)", what, mib(est)))
	}
	line := flag + "keeping " + orNothing(cached) + " in memory"
	if len(notCached) > 0 {
		line += "; " + strings.Join(notCached, " and ") + " do not fit and are read every epoch"
	}
	return line + fmt.Sprintf(" (budget %.0f MiB, half the available memory)", mib(budget)), nil
}

// orNothing joins what with "and", or says nothing.
func orNothing(what []string) string {
	if len(what) == 0 {
		return "nothing"
	}
	return strings.Join(what, " and ")
}
