package org.ldmfiji.task;

import org.ldmfiji.image.FloatPlanes;

import java.util.Arrays;
import java.util.List;

/**
 * Where the consistency correction of a super-resolved image goes ({@link Consistency#enforce(FloatPlanes,
 * FloatPlanes, int, FloatPlanes)}): the samples' local spread, the model's own doubt about each pixel.
 * <p>
 * With v the samples' per-pixel variance (unbiased), box the mean over a {@link #WINDOW} × {@link #WINDOW} window
 * (mirrored at the edges) and ε² the median of box(v) over the plane (at least {@link #FLOOR}²), the weight is
 * <pre>
 *   d = sqrt(box(v) + ε²),
 * </pre>
 * so the correction's covariance D K D follows the samples: large where they disagree (the edge of a spot's halo), at
 * the image's typical level where they agree. ε keeps a share for the pixels the samples agree on.
 * <p>
 * Why: with the smooth correction alone (D = I) a block next to a bright point that the model spread is corrected
 * as a whole, so the halo's removal reaches the block's far side, where the model drew only background, and it ends
 * far below it: a dark ring (synthetic fluorescent puncta, 16-bit, background 100 ± 10: 353 / 300 pixels below the
 * truth's darkest, seeds 1 / 2; star field: darkest −93 counts in a sky of 100). The samples agree on the background
 * and disagree on the halo's extent, so weighted the removal stays on the halo: 153 / 114 pixels, star field −58, and
 * +0.28 / +0.36 / +0.16 dB (models/validate_star_field.py). On the 32 real images the mean gain over bicubic rose
 * from +1.144 to +1.162 dB, no image worse by more than 0.01 dB, grid ratios within 0.006 (models/demo/EVALUATION.md,
 * session 23).
 */
final class SpreadWeight {

	/** Side of the window over which the variance is averaged (px of the result; {@link SpreadShrinkage}'s too). */
	static final int WINDOW = 5;
	/** The least ε, in the model's units (a range 2 wide). */
	static final double FLOOR = 1e-3;

	private SpreadWeight() {}

	/** The weights (C × fH × fW) of {@code samples}; null for one sample (no spread: the unweighted correction). */
	static FloatPlanes of(List<FloatPlanes> samples) {
		if (samples.size() < 2) return null;
		FloatPlanes first = samples.get(0);
		int plane = first.planeSize();
		FloatPlanes out = FloatPlanes.zeros(first.channels(), first.height(), first.width());
		for (int c = 0; c < first.channels(); c++) {
			float[] v = localVariance(samples, c), sorted = v.clone();
			Arrays.sort(sorted);
			double floor = Math.max(FLOOR * FLOOR, sorted[plane / 2]);
			for (int p = 0; p < plane; p++) out.data()[c * plane + p] = (float) Math.sqrt(v[p] + floor);
		}
		return out;
	}

	/** box(v) of channel c: the samples' unbiased variance averaged over {@link #WINDOW}² px (at least two samples). */
	static float[] localVariance(List<FloatPlanes> samples, int c) {
		FloatPlanes first = samples.get(0);
		int n = samples.size(), w = first.width(), h = first.height(), plane = w * h;
		float[] v = new float[plane];
		for (int p = 0; p < plane; p++) {
			int i = c * plane + p;
			double m = 0, sq = 0;
			for (FloatPlanes s : samples) m += s.data()[i];
			m /= n;
			for (FloatPlanes s : samples) sq += (s.data()[i] - m) * (s.data()[i] - m);
			v[p] = (float) (sq / (n - 1));
		}
		double[] box = new double[WINDOW];
		Arrays.fill(box, 1.0 / WINDOW);
		Consistency.convolve(v, w, h, box);
		return v;
	}
}
