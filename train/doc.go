// Package train trains gocnn models: Run drives the epochs (training,
// evaluation with top-1/top-5 or mIoU and pixel accuracy, the JSONL
// metrics log, the PNG curves, a checkpoint per epoch), exact resume,
// data parallel training over CPU logical devices, and a synthetic-data
// benchmark; cmd/train maps its flags onto Config. The building blocks are
// exported too: accuracy and segmentation metrics, the metrics log, the
// plot, the progress bar and the NaN-loss guard. Checkpoints, the
// safetensors codec and atomic file writes live in package checkpoint,
// which loads a trained model without this package.
//
// The loop has hooks (Hooks, set in Config.Hooks), after GoMLX's: on an
// epoch's start, after each step or every n steps, after each epoch and
// at the end. Run's own progress display, NaN guard, metrics log and
// checkpoints are hooks, run before the caller's, and so is the -bench
// timer, whose steps go through the same loop.
//
// Data parallel: with Config.Devices = D, D replicas of the model, built
// from the same seed, run on their own goroutines, each on a CPU backend
// with 1/D of the cores. Replica i trains on batch k*D+i of the loader's
// order, the examples a single device would see in one batch of D*Batch;
// gradients are averaged through host memory, and every replica's
// optimizer takes the same step. Batch norm uses each replica's own batch
// statistics, as PyTorch's DDP does; replica 0's running statistics are
// the model's, copied to the others before evaluation and saving (DDP's
// broadcast_buffers).
//
// Errors caused by files (truncated, corrupt, full disk) are returned and
// name the file; shape misuse by a caller panics.
package train
