package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/gocnn/gocnn/train"
	"github.com/gocnn/gocnn/train/dist"
)

// distFlags holds the flags of training across processes and of the
// multi-device model layouts, named as torchvision's train.py and
// torchrun name them.
type distFlags struct {
	worldSize, rank int
	url             string
	syncBN, split   bool
	timeout         time.Duration
}

// addDistFlags defines the multi-process and multi-device flags on fs.
func addDistFlags(fs *flag.FlagSet) *distFlags {
	d := &distFlags{}
	fs.IntVar(&d.worldSize, "world-size", 1, "number of training processes, over all machines (one per -gpus list)")
	fs.IntVar(&d.rank, "rank", 0, "this process's rank, 0 to -world-size - 1; rank 0 listens on -dist-url")
	fs.StringVar(&d.url, "dist-url", "", "rendezvous address tcp://host:port of rank 0, reachable by every process")
	fs.BoolVar(&d.syncBN, "sync-bn", false, "batch-norm statistics over the whole batch of every device (default: per device, as DDP)")
	fs.BoolVar(&d.split, "split", false, "alexnet2012 only: each tower on its own device of -gpus (or of -devices 2)")
	fs.DurationVar(&d.timeout, "dist-timeout", train.DefaultDistTimeout, "how long a gradient all-reduce may wait for a device or process that does not arrive before the run ends naming it")
	return d
}

// check returns an error naming the flag when the distributed flags
// cannot run with the rest of c, and otherwise sets c.Dist from them.
func (d *distFlags) check(c *train.Config) error {
	switch {
	case d.worldSize < 1:
		return fmt.Errorf("-world-size %d: must be at least 1", d.worldSize)
	case d.rank < 0 || d.rank >= d.worldSize:
		return fmt.Errorf("-rank %d: must be in 0..%d for -world-size %d", d.rank, d.worldSize-1, d.worldSize)
	case d.worldSize > 1 && d.url == "":
		return fmt.Errorf("-world-size %d needs -dist-url tcp://host:port (rank 0's address)", d.worldSize)
	case d.worldSize > 1 && len(c.GPUs) == 0:
		return fmt.Errorf("-world-size %d needs -gpus: processes exchange gradients through NCCL", d.worldSize)
	case d.split && d.worldSize > 1:
		return fmt.Errorf("-split runs in one process; drop -world-size %d", d.worldSize)
	}
	if d.url != "" {
		if _, err := dist.ParseURL(d.url); err != nil {
			return err
		}
	}
	c.Dist.Timeout, c.Dist.SyncBN, c.Dist.Split = d.timeout, d.syncBN, d.split
	return d.unsupported()
}

// unsupported rejects the valid settings that the training loop cannot run
// yet, rather than accepting and ignoring them: the pieces exist (the split
// model, the rendezvous, NCCL) but are not wired into train.Run.
func (d *distFlags) unsupported() error {
	switch {
	case d.worldSize > 1:
		return fmt.Errorf("-world-size %d: training across processes is not supported by the training loop yet", d.worldSize)
	}
	return nil
}
