// Package train trains gocnn models: Run drives the epochs (training,
// evaluation with top-1/top-5 or mIoU and pixel accuracy, the JSONL
// metrics log, the PNG curves, a checkpoint per epoch), exact resume,
// data parallel training over CPU logical devices, and a synthetic-data
// benchmark; cmd/train maps its flags onto Config. The building blocks are
// exported too: accuracy and segmentation metrics, safetensors checkpoints
// written atomically, the metrics log, the plot, the progress bar and the
// NaN-loss guard.
//
// Checkpoint weights use torchvision's parameter names and PyTorch's OIHW
// layout for 4-D tensors, so PyTorch loads them with
// model.load_state_dict(safetensors.torch.load_file(path)); inside gocnn conv
// filters are KRSC and are converted at the file edge.
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
