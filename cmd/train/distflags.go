package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/gocnn/gocnn/train"
)

// distFlags holds the flags of training across processes and of the
// multi-device model layouts, named as torchvision's train.py and
// torchrun name them.
type distFlags struct {
	worldSize, rank int
	url             string
	syncBN, split   bool
	timeout         time.Duration

	fs     *flag.FlagSet           // to tell the flags given from their defaults
	getenv func(key string) string // torchrun's environment: os.Getenv
}

// addDistFlags defines the multi-process and multi-device flags on fs.
func addDistFlags(fs *flag.FlagSet) *distFlags {
	d := &distFlags{fs: fs, getenv: os.Getenv}
	fs.IntVar(&d.worldSize, "world-size", 1, "number of training processes, over all machines, each on its -gpus (default: $WORLD_SIZE, else 1)")
	fs.IntVar(&d.rank, "rank", 0, "this process's rank, 0 to -world-size - 1; rank 0 listens on -dist-url and alone writes -output (default: $RANK, else 0)")
	fs.StringVar(&d.url, "dist-url", "", "rendezvous address tcp://host:port of rank 0, reachable by every process (default: tcp://$MASTER_ADDR:$MASTER_PORT)")
	fs.BoolVar(&d.syncBN, "sync-bn", false, "batch-norm statistics over the whole batch of every device (default: per device, as DDP)")
	fs.BoolVar(&d.split, "split", false, "alexnet2012 only: each tower on its own device of -gpus (or of -devices 2)")
	fs.DurationVar(&d.timeout, "dist-timeout", train.DefaultDistTimeout, "how long a gradient all-reduce, or the start of several processes, may wait for a device or process that does not arrive before the run ends naming it")
	return d
}

// check takes what torchrun's environment sets for the flags not given
// (see fromEnv) and sets c.Dist from the flags; train.Run checks them
// with the rest of c (train.DistConfig), naming the flag at fault.
func (d *distFlags) check(c *train.Config) error {
	if err := d.fromEnv(c); err != nil {
		return err
	}
	if d.worldSize < 1 {
		return fmt.Errorf("-world-size %d: must be at least 1", d.worldSize)
	}
	c.Dist.Timeout, c.Dist.SyncBN, c.Dist.Split = d.timeout, d.syncBN, d.split
	c.Dist.WorldSize, c.Dist.Rank, c.Dist.URL = d.worldSize, d.rank, d.url
	return nil
}

// fromEnv reads torchrun's variables, as PyTorch's env:// initialisation
// does, for the flags the command line leaves out (a flag given wins):
// WORLD_SIZE and RANK, MASTER_ADDR and MASTER_PORT for -dist-url; and,
// for a run of several processes without -gpus, LOCAL_RANK picks the GPU,
// one per process. Where torchrun's agent serves its own store at
// MASTER_PORT (TORCHELASTIC_USE_AGENT_STORE=True), rank 0 listens on the
// port after it.
func (d *distFlags) fromEnv(c *train.Config) error {
	given := map[string]bool{}
	d.fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, v := range []struct {
		env, flag string
		to        *int
	}{{"WORLD_SIZE", "world-size", &d.worldSize}, {"RANK", "rank", &d.rank}} {
		if err := envInt(d.getenv, v.env, v.to, !given[v.flag]); err != nil {
			return err
		}
	}
	port := -1
	if err := envInt(d.getenv, "MASTER_PORT", &port, true); err != nil {
		return err
	}
	if addr := d.getenv("MASTER_ADDR"); !given["dist-url"] && addr != "" && port >= 0 {
		if d.getenv("TORCHELASTIC_USE_AGENT_STORE") == "True" {
			port++
		}
		d.url = "tcp://" + net.JoinHostPort(addr, strconv.Itoa(port))
	}
	local := -1
	if err := envInt(d.getenv, "LOCAL_RANK", &local, true); err != nil {
		return err
	}
	if local >= 0 && d.worldSize > 1 && d.fs.Lookup("gpus").Value.String() == "" {
		c.GPUs = []int{local}
	}
	return nil
}

// envInt sets *to from the non-negative integer in variable key, when it
// is set and use holds; it checks the value either way.
func envInt(getenv func(string) string, key string, to *int, use bool) error {
	s := getenv(key)
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return fmt.Errorf("%s=%q (torchrun's environment): want a non-negative integer", key, s)
	}
	if use {
		*to = n
	}
	return nil
}
