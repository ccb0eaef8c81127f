// Package lesion runs the layer-deletion study of Veit, Wilber & Belongie
// 2016, "Residual networks behave like ensembles of relatively shallow
// networks", on trained gocnn models (models.Lesionable):
//
//   - Single deletes each block in turn (residual branch removed, skip
//     kept; downsampling blocks flagged) and measures the test error, on a
//     residual network and on its plain counterpart (Figure 3);
//   - Random deletes k random blocks, several draws for each k (Figure 4a);
//   - both measure again, when asked, after Reestimate has re-estimated
//     every batch norm's running statistics on training images with the
//     blocks deleted (no weight changes), which separates "the network
//     needs the block" from "the statistics no longer fit its input";
//   - Reorder swaps k random pairs of interchangeable blocks and reports the
//     Kendall tau of the resulting order (Figure 4b);
//   - PathCounts and PathGradients give the binomial distribution of path
//     lengths and the gradient magnitude at the input by path length,
//     sampling which residual branches the backward pass goes through
//     (Figures 6a-c).
//
// Study runs them all and writes a CSV per experiment, a Markdown report
// and PNG plots.
//
// Errors are classification top-1 errors in [0, 1] on a Set, a test split
// held in memory and normalised as in training.
package lesion
