package main

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gocnn/gocnn/train"
)

func TestDistFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		err  string // "" for none
	}{
		{nil, ""},
		// Valid settings the training loop cannot run yet are refused, not ignored.
		{[]string{"-gpus", "0,1", "-world-size", "2", "-rank", "1", "-dist-url", "tcp://10.0.0.1:29500"}, "-world-size 2: training across processes is not supported"},
		{[]string{"-model", "alexnet2012", "-split", "-devices", "2"}, ""},
		{[]string{"-devices", "2", "-sync-bn"}, ""},
		{[]string{"-world-size", "0"}, "-world-size 0"},
		{[]string{"-world-size", "2", "-rank", "2", "-gpus", "0", "-dist-url", "tcp://h:1"}, "-rank 2"},
		{[]string{"-rank", "-1"}, "-rank -1"},
		{[]string{"-world-size", "2", "-gpus", "0"}, "needs -dist-url"},
		{[]string{"-world-size", "2", "-dist-url", "tcp://h:1"}, "needs -gpus"},
		{[]string{"-dist-url", "http://h:1"}, "want tcp://host:port"},
		{[]string{"-model", "alexnet2012", "-split", "-gpus", "0,1", "-world-size", "2", "-dist-url", "tcp://h:1"}, "runs in one process"},
	} {
		fs := flag.NewFlagSet("train", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		tf, df := addTrainFlags(fs), addDistFlags(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		cfg := tf.cfg
		var err error
		if cfg.GPUs, err = parseInts("-gpus", tf.gpus); err != nil {
			t.Fatal(err)
		}
		err = df.check(&cfg)
		if (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%v: %v; want %q", c.args, err, c.err)
		}
	}
}

func TestDistTimeoutFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want time.Duration
	}{{nil, train.DefaultDistTimeout}, {[]string{"-dist-timeout", "90s"}, 90 * time.Second}} {
		fs := flag.NewFlagSet("train", flag.ContinueOnError)
		tf, df := addTrainFlags(fs), addDistFlags(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		cfg := tf.cfg
		if err := df.check(&cfg); err != nil {
			t.Fatal(err)
		}
		if cfg.Dist.Timeout != c.want {
			t.Errorf("%v: Dist.Timeout %v, want %v", c.args, cfg.Dist.Timeout, c.want)
		}
	}
}
