package org.ldmfiji.task;

import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.Quality;

/**
 * A super-resolved result rounded to the integers its type stores, pixel by pixel, with its block borders smoothed
 * first where the rounding alone would leave a grid.
 * <p>
 * Where a result is smooth at the scale of a level (a sky, a dim background) its level changes are contour lines,
 * and a contour that follows a block border is a step of the f-px grid: rounding can raise the grid ratio
 * ({@link Quality#gridRatio}) above {@link BorderSmoothing#GRID_LIMIT}. Where the rounded result's ratio is above both
 * that limit and the result's own (a true edge along a border is the result's, not the rounding's), the result is
 * smoothed across the block borders with the least μ for which it no longer is ({@link BorderSmoothing#leastSmoothed}).
 * Each candidate is brought within the type's range with its block means kept ({@link StorableRange#project}) before
 * it is rounded: the smoothing keeps the block means, and so the consistency, and a black or saturated block stays
 * black or saturated, where clamping alone would take away what the smoothing moved beyond the range.
 * <p>
 * Until session 28 a dim source's result was rounded by error diffusion inside each block, keeping each block mean to
 * 1/(2f²): on a gradient of 9 levels the diffused pattern cost 1.9 dB against plain rounding, which keeps each contour
 * a line where the pattern scatters its pixels over the block (models/demo/EVALUATION.md, session 28).
 */
public final class RoundedStorage {

	private final double lo, hi;
	private final int f;

	/**
	 * @param range the smallest and largest value the type stores (integers); null for a float type
	 * @return null for a float type (nothing to round)
	 */
	public static RoundedStorage of(double[] range, int f) {
		return range == null ? null : new RoundedStorage(range[0], range[1], f);
	}

	private RoundedStorage(double lo, double hi, int f) {
		this.lo = lo;
		this.hi = hi;
		this.f = f;
	}

	/** {@code x} (C × H × W, the source's values; H and W multiples of f) as it will be stored, as a new image. */
	public FloatPlanes apply(FloatPlanes x) {
		FloatPlanes means = Consistency.areaDownsample(x, f);
		StorableRange bounds = StorableRange.of(lo, hi, x.channels());
		double limit = Math.max(BorderSmoothing.GRID_LIMIT, Quality.gridRatio(x, f));
		return BorderSmoothing.leastSmoothed(x, f, limit, s -> {
			FloatPlanes p = s.copy();
			bounds.project(p, means, f);
			return round(p);
		}).result;
	}

	/** Each value rounded to the nearest integer within the type's range; NaN stays NaN. */
	private FloatPlanes round(FloatPlanes x) {
		FloatPlanes r = x.copy();
		float[] d = r.data();
		for (int i = 0; i < d.length; i++)
			if (!Float.isNaN(d[i])) d[i] = (float) Math.max(lo, Math.min(hi, Math.floor(d[i] + 0.5)));
		return r;
	}
}
