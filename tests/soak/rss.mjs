// What the Node soaks make of their RSS samples (one every 100 ms).

/**
 * The mean RSS over a tenth of the samples taken after the first fifth of the run
 * (warm), over the last tenth (end), and the growth from one to the other in percent.
 */
export function rssGrowth(samples) {
  const tenth = Math.max(1, Math.floor(samples.length / 10));
  const mean = (list) => list.reduce((a, b) => a + b, 0) / list.length;
  const warmFrom = Math.min(Math.floor(samples.length / 5), samples.length - tenth);
  const warm = mean(samples.slice(warmFrom, warmFrom + tenth));
  const end = mean(samples.slice(-tenth));
  return { warm, end, growth: (end / warm - 1) * 100 };
}
