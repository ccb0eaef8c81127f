package main

import "testing"

// TestCacheDatasetFlag checks that -cache-dataset reaches the
// configuration, off by default.
func TestCacheDatasetFlag(t *testing.T) {
	for _, args := range [][]string{nil, {"-cache-dataset"}, {"-cache-dataset=false"}} {
		f, err := parse(t, args...)
		if err != nil {
			t.Fatal(err)
		}
		want := len(args) == 1 && args[0] == "-cache-dataset"
		if c, err := f.config(); err != nil || c.CacheDataset != want {
			t.Errorf("%v: CacheDataset %v, %v; want %v", args, c.CacheDataset, err, want)
		}
	}
}
