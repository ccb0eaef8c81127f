package train

import (
	"fmt"
	"time"
)

// DistConfig is how the devices of a run work together: what cmd/train's
// -dist-* flags set.
type DistConfig struct {
	// Timeout is how long a collective (an all-reduce of gradients, a
	// broadcast) may wait for a rank that does not arrive before the run
	// ends with an error naming it; 0 means DefaultDistTimeout.
	Timeout time.Duration
	// SyncBN normalises batches in training with the statistics of the
	// whole batch over every device (PyTorch's SyncBatchNorm), not each
	// device's own.
	SyncBN bool
	// Split trains alexnet2012 with each tower on its own device of the
	// two the run has, as Krizhevsky et al. did (see newSplitReplica).
	Split bool
}

// DefaultDistTimeout is PyTorch's default NCCL process-group timeout.
const DefaultDistTimeout = 10 * time.Minute

// timeout returns the collective timeout in force.
func (d DistConfig) timeout() time.Duration {
	if d.Timeout == 0 {
		return DefaultDistTimeout
	}
	return d.Timeout
}

// validate returns an error naming the flag of the first setting out of
// range or that cannot apply to the rest of c.
func (d DistConfig) validate(c *Config) error {
	devices := max(len(c.GPUs), c.Devices)
	switch {
	case d.Timeout < 0:
		return fmt.Errorf("-dist-timeout %v: must not be negative", d.Timeout)
	case d.Split && c.Model != "alexnet2012":
		return fmt.Errorf("-split: only -model alexnet2012 has towers to split, not %s", c.Model)
	case d.Split && devices != 2:
		return fmt.Errorf("-split needs two devices (-gpus 0,1 or -devices 2), got %d", devices)
	case d.Split && d.SyncBN:
		return fmt.Errorf("-sync-bn: alexnet2012, which -split trains, has no batch norm")
	case d.SyncBN && devices < 2:
		return fmt.Errorf("-sync-bn: one device has no other batch to share statistics with; train on several (-gpus 0,1 or -devices 2)")
	}
	return nil
}
