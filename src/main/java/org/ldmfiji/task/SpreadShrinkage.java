package org.ldmfiji.task;

import org.ldmfiji.image.FloatPlanes;

import java.util.Arrays;
import java.util.List;

/**
 * The samples' detail shrunk toward the smooth consistent interpolation where the samples disagree about it, and where
 * an integer input is too smooth to show it: a Wiener-like estimate of the posterior mean for a model that is out of
 * its domain.
 * <p>
 * With s_1 … s_N the (consistent) samples, m their mean, v their per-pixel variance (unbiased) and b the smoothest
 * image consistent with the input (b = K R λ with A K R λ = y, {@link Consistency} applied to zero: the quintic
 * B-spline interpolation of the block means), d = m − b is the detail the model adds. Each sample becomes
 * <pre>
 *   s_i ← b + w (s_i − b),   w = (1 − q) D / (D + κ V),   D = box(d²),  V = box(v)
 * </pre>
 * with box the mean over a {@link #WINDOW} × {@link #WINDOW} window (mirrored at the edges) and κ = {@link #KAPPA},
 * then made consistent again ({@link Consistency}, affine, so the mean of the results is the consistent b + w d).
 * q ∈ [0, 1] is, for an integer input, how smooth it is at the scale of one level ({@link Dequantisation#smoothShare},
 * interpolated to the result's pixels; 0 for a float input): where it is 1 the input shows nothing finer than its
 * rounding, so detail there is the model's guess and the samples may well agree on it (its bias, which their spread
 * does not reveal). A sky's grain of 0.6 levels in an 8-bit crop got 0.53 levels of detail uncorrelated with the
 * truth's (r = 0.04): with q the crop went from 1.56 to 1.06 dB below bicubic (its rounding to whole levels alone
 * costs 0.78). On the real-image evaluation's 8-bit and RGB crops, mean gain over bicubic: +1.147 → +1.150 dB on the
 * table's, +1.283 → +1.308 and +0.872 → +0.874 on two other sets of crops ({@code --at}), +0.690 → +0.683 on the
 * dim ones ({@code --dim 0.15}; the most −0.11 dB, a dim sky whose clouds' edges are within a level);
 * models/demo/EVALUATION.md, session 30.
 * w is the Wiener gain for a signal of power D seen through noise of power κ V: where the samples agree on their
 * detail (V ≪ D) it is kept, where they scatter as much as the detail itself (a smooth photograph, a defocused page,
 * a retina: the model invents detail, differently in every sample) it goes toward b. κ = 1/N would count only the
 * Monte-Carlo error of the mean of N samples; κ = 1/2 counts the samples' spread as doubt about the model's own bias.
 * KAPPA was chosen on 38 crops (128 px, two per picture) of 20 scikit-image pictures, none from the real-image
 * evaluation's packages: mean gain over bicubic +0.56 dB without the shrinkage, +1.08 dB with it (κ = 1/4: +1.04,
 * κ = 1: +1.03), crops below bicubic by more than 0.3 dB 6 → 1 (1/4: 3, 1: 2). One sample is returned as it is (no
 * spread to judge by). The standard-deviation map of several samples is that of the shrunk samples.
 * <p>
 * On an aliased texture (wood, sand ripples, grass, a woven pattern: detail finer than the input's pixels) the samples
 * disagree about the texture's phase, w goes toward 0 and the mean toward b, whose slopes, like those of any smooth
 * interpolation of aliased block means, are steepest at the block borders; {@link BorderSmoothing} takes those steps
 * off afterwards. (Until session 19 the shrinkage was scaled down instead until the mean's grid ratio was 1.03, "the
 * relief": on the 32 real images of models/demo/EVALUATION.md +1.124 dB over bicubic with the smoothing after it,
 * +1.130 without it; the smoothing alone reaches the grid goal on every image.)
 */
final class SpreadShrinkage {

	/** Weight of the samples' variance against the detail's power. */
	static final double KAPPA = 0.5;
	/** Side of the window over which detail power and variance are averaged (px of the result). */
	static final int WINDOW = SpreadWeight.WINDOW;

	private SpreadShrinkage() {}

	/**
	 * Shrinks {@code samples} (each C × fH × fW in the model's range) in place toward the smooth interpolation of
	 * {@code low} (C × H × W); with {@code consistency} (the samples consistent on entry) each result reproduces
	 * {@code low} exactly afterwards, by the correction weighted by {@code weight} ({@link SpreadWeight}; null: the
	 * smooth one). {@code smooth} (C × H × W, or null for none) is q at the input's pixels. One sample is left as it is.
	 */
	static void apply(List<FloatPlanes> samples, FloatPlanes low, int f, boolean consistency, FloatPlanes weight,
		FloatPlanes smooth)
	{
		if (samples.size() < 2) return;
		FloatPlanes first = samples.get(0);
		FloatPlanes b = FloatPlanes.zeros(first.channels(), first.height(), first.width());
		Consistency.enforce(b, low, f);
		int w = first.width(), h = first.height(), plane = w * h;
		FloatPlanes gain = FloatPlanes.zeros(first.channels(), h, w);
		double[] box = new double[WINDOW];
		Arrays.fill(box, 1.0 / WINDOW);
		float[] bd = b.data(), gd = gain.data(), md = SampleStatistics.mean(samples).data();
		for (int c = 0; c < first.channels(); c++) {
			float[] power = new float[plane], spread = SpreadWeight.localVariance(samples, c);
			for (int p = 0; p < plane; p++) {
				int i = c * plane + p;
				power[p] = (float) ((md[i] - bd[i]) * (md[i] - bd[i]));
			}
			Consistency.convolve(power, w, h, box);
			float[] unseen = smooth == null ? null : upsampled(smooth, c, f);
			for (int p = 0; p < plane; p++) {
				double den = power[p] + KAPPA * spread[p];
				gd[c * plane + p] = (float) ((den > 0 ? power[p] / den : 1) * (unseen == null ? 1 : 1 - unseen[p]));
			}
		}
		for (FloatPlanes s : samples) {
			shrink(s, b, gain);
			if (consistency) Consistency.enforce(s, low, f, weight);
		}
	}

	/**
	 * Channel c of a C × H × W plane at f times its size: each pixel over its f × f block, then the mean over f px
	 * (piecewise linear between the blocks' centres, so the gain has no steps on the block borders).
	 */
	static float[] upsampled(FloatPlanes low, int c, int f) {
		int w = low.width(), h = low.height(), W = w * f, H = h * f;
		float[] out = new float[W * H], d = low.data();
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) out[y * W + x] = d[c * w * h + (y / f) * w + x / f];
		double[] box = new double[f];
		Arrays.fill(box, 1.0 / f);
		Consistency.convolve(out, W, H, box);
		return out;
	}

	/** x ← b + w (x − b), in place. */
	private static void shrink(FloatPlanes x, FloatPlanes b, FloatPlanes gain) {
		float[] o = x.data(), bd = b.data(), gd = gain.data();
		for (int i = 0; i < o.length; i++) o[i] = (float) (bd[i] + gd[i] * (o[i] - bd[i]));
	}
}
