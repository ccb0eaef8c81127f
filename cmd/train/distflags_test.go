package main

import (
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gocnn/gocnn/train"
)

// checkDist parses args with env as the environment and returns the
// configuration distFlags.check makes, -gpus as given (the cuda build's
// default GPU 0 left out).
func checkDist(t *testing.T, args []string, env map[string]string) (train.Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	tf, df := addTrainFlags(fs), addDistFlags(fs)
	df.getenv = func(k string) string { return env[k] }
	if err := fs.Parse(args); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	cfg := tf.cfg
	var err error
	if cfg.GPUs, err = parseInts("-gpus", tf.gpus); err != nil {
		t.Fatal(err)
	}
	return cfg, df.check(&cfg)
}

// TestDistFlags checks that the flags, and torchrun's variables for those
// the command line leaves out, set Config.Dist (a flag given wins), and
// that LOCAL_RANK picks the GPU of a process of several without -gpus.
// train.DistConfig's own test checks the settings they make.
func TestDistFlags(t *testing.T) {
	torchrun := map[string]string{"WORLD_SIZE": "4", "RANK": "3", "LOCAL_RANK": "1", "MASTER_ADDR": "10.0.0.1", "MASTER_PORT": "29500"}
	for _, c := range []struct {
		args []string
		env  map[string]string
		want train.DistConfig
		gpus []int
		err  string // "" for none
	}{
		{nil, nil, train.DistConfig{WorldSize: 1}, nil, ""},
		{[]string{"-gpus", "0,1", "-world-size", "2", "-rank", "1", "-dist-url", "tcp://10.0.0.1:29500"}, nil,
			train.DistConfig{WorldSize: 2, Rank: 1, URL: "tcp://10.0.0.1:29500"}, []int{0, 1}, ""},
		{[]string{"-devices", "2", "-sync-bn"}, nil, train.DistConfig{WorldSize: 1, SyncBN: true}, nil, ""},
		{[]string{"-model", "alexnet2012", "-split", "-devices", "2"}, nil, train.DistConfig{WorldSize: 1, Split: true}, nil, ""},
		{nil, torchrun, train.DistConfig{WorldSize: 4, Rank: 3, URL: "tcp://10.0.0.1:29500"}, []int{1}, ""},
		{[]string{"-gpus", "2,3"}, torchrun, train.DistConfig{WorldSize: 4, Rank: 3, URL: "tcp://10.0.0.1:29500"}, []int{2, 3}, ""},
		{[]string{"-rank", "2", "-world-size", "3", "-dist-url", "tcp://h:1"}, torchrun, train.DistConfig{WorldSize: 3, Rank: 2, URL: "tcp://h:1"}, []int{1}, ""},
		{nil, map[string]string{"WORLD_SIZE": "2", "RANK": "1", "MASTER_ADDR": "::1", "MASTER_PORT": "7", "LOCAL_RANK": "0"},
			train.DistConfig{WorldSize: 2, Rank: 1, URL: "tcp://[::1]:7"}, []int{0}, ""},
		// torchrun's agent serves its store at MASTER_PORT: rank 0 takes the next.
		{nil, map[string]string{"WORLD_SIZE": "2", "RANK": "0", "MASTER_ADDR": "h", "MASTER_PORT": "29500", "TORCHELASTIC_USE_AGENT_STORE": "True"},
			train.DistConfig{WorldSize: 2, URL: "tcp://h:29501"}, nil, ""},
		{nil, map[string]string{"MASTER_ADDR": "h", "MASTER_PORT": "http"}, train.DistConfig{}, nil, `MASTER_PORT="http"`},
		// torchrun with one process: LOCAL_RANK 0 leaves -gpus alone.
		{nil, map[string]string{"WORLD_SIZE": "1", "RANK": "0", "LOCAL_RANK": "0"}, train.DistConfig{WorldSize: 1}, nil, ""},
		{[]string{"-world-size", "0"}, nil, train.DistConfig{}, nil, "-world-size 0"},
		{nil, map[string]string{"WORLD_SIZE": "0"}, train.DistConfig{}, nil, "-world-size 0"},
		{nil, map[string]string{"RANK": "x"}, train.DistConfig{}, nil, `RANK="x" (torchrun's environment)`},
		{[]string{"-rank", "0"}, map[string]string{"RANK": "-1"}, train.DistConfig{}, nil, `RANK="-1"`},
		{nil, map[string]string{"LOCAL_RANK": "one"}, train.DistConfig{}, nil, `LOCAL_RANK="one"`},
	} {
		cfg, err := checkDist(t, c.args, c.env)
		if (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%v with %v: %v; want %q", c.args, c.env, err, c.err)
			continue
		}
		if err != nil {
			continue
		}
		got := cfg.Dist
		got.Timeout = 0
		if got != c.want || !slices.Equal(cfg.GPUs, c.gpus) {
			t.Errorf("%v with %v: %+v on -gpus %v; want %+v on %v", c.args, c.env, got, cfg.GPUs, c.want, c.gpus)
		}
	}
}

func TestDistTimeoutFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want time.Duration
	}{{nil, train.DefaultDistTimeout}, {[]string{"-dist-timeout", "90s"}, 90 * time.Second}} {
		cfg, err := checkDist(t, c.args, nil)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Dist.Timeout != c.want {
			t.Errorf("%v: Dist.Timeout %v, want %v", c.args, cfg.Dist.Timeout, c.want)
		}
	}
}
