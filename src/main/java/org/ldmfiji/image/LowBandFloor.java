package org.ldmfiji.image;

/**
 * Gives a fill the low frequencies of a smooth guess and keeps its own detail:
 * <pre>
 *   out = g + ramp(d) · w · [(c − g) − G_σ ∗ (c − g)]   on the masked pixels,   ramp(d) = clip((d − 1) / TAPER, 0, 1)
 * </pre>
 * with c the composite (known pixels outside the mask, the fill inside), g the guess (the biharmonic continuation
 * of the known pixels, {@link BiharmonicFill#fillDenoised}, equal to c outside the mask), G_σ a Gaussian
 * ({@link GaussianBlur}), d the distance to the nearest known pixel and w an optional weight per pixel (the
 * surroundings' local texture level, {@link LocalTexture}; 1 without). The fill keeps what lies above the Gaussian's band (its texture and fine
 * structure); what lies below comes from the guess. The detail fades in over the first {@link #TAPER} px: the
 * fill's texture is not in phase with the surroundings', and added at full strength on the border pixels it makes a
 * seam of steps between two independent textures.
 * <p>
 * Why: one sample's low frequencies are a draw from the model's posterior, whose expected squared error is twice
 * that of the posterior mean (the mean plus an independent draw of the posterior's spread), and on images unlike
 * the model's training set even the mean is no better than the smooth continuation. On the 32 real images of
 * models/demo/EVALUATION.md the fills' smooth part (blurred, σ = 2 px) was off the truth by 0.15 on average, the
 * biharmonic fill's whole error 0.13 on the same masks. The biharmonic continuation is the floor the issue sets on
 * a fill's error; this puts the fill on it and adds only the model's detail on top.
 */
public final class LowBandFloor {

	/** σ of the Gaussian in pixels: the band below it comes from the guess. */
	public static final double SIGMA = 2;
	/** Pixels over which the fill's detail fades in from the border (full from d = 1 + TAPER). */
	public static final double TAPER = 2;

	private LowBandFloor() {}

	/**
	 * In place on the masked pixels of every channel of {@code fill}; {@code guess} has the fill's size and equals the
	 * known pixels outside the mask.
	 *
	 * @param mask w·h row-major, true on the fill
	 */
	public static void apply(FloatPlanes fill, FloatPlanes guess, boolean[] mask, double sigma) {
		apply(fill, guess, mask, sigma, null);
	}

	/**
	 * {@link #apply(FloatPlanes, FloatPlanes, boolean[], double)} with the detail weighted per pixel.
	 *
	 * @param weights per channel w·h weights of the detail on the masked pixels, or null for none
	 */
	public static void apply(FloatPlanes fill, FloatPlanes guess, boolean[] mask, double sigma, float[][] weights) {
		fill.requireSameSize(guess);
		int w = fill.width(), h = fill.height(), n = w * h;
		if (mask.length != n) throw new IllegalArgumentException("the mask has " + mask.length + " pixels, the fill "
			+ w + "x" + h);
		float[] fs = fill.data(), gs = guess.data(), diff = new float[n];
		float[] d = DistanceTransform.toKnown(mask, w, h);
		for (int c = 0; c < fill.channels(); c++) {
			for (int i = 0; i < n; i++) diff[i] = mask[i] ? fs[c * n + i] - gs[c * n + i] : 0;
			float[] low = GaussianBlur.blur(diff, w, h, sigma);
			for (int i = 0; i < n; i++)
				if (mask[i]) {
					double ramp = Math.max(0, Math.min(1, (d[i] - 1) / TAPER));
					double wt = weights == null ? 1 : weights[c][i];
					fs[c * n + i] = (float) (gs[c * n + i] + ramp * wt * (diff[i] - low[i]));
				}
		}
	}
}
