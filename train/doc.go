// Package train holds gocnn's training machinery: accuracy and
// segmentation metrics, safetensors checkpoints written atomically and
// resumable, the JSONL metrics log, the PNG curves plot, the progress bar,
// and the NaN-loss guard.
//
// Checkpoint weights use torchvision's parameter names and PyTorch's OIHW
// layout for 4-D tensors, so PyTorch loads them with
// model.load_state_dict(safetensors.torch.load_file(path)); inside gocnn conv
// filters are KRSC and are converted at the file edge.
//
// Errors caused by files (truncated, corrupt, full disk) are returned and
// name the file; shape misuse by a caller panics.
package train
