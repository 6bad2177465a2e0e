package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertTrue;

import net.imglib2.RandomAccess;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.real.FloatType;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.Quality;

import java.util.Locale;
import java.util.Random;

/**
 * Stars on a dark sky (a 32-bit astronomy frame; a fluorescence field of puncta alike) through the default
 * super-resolution keep their peaks. The input is normalised by its own 0.1 / 99.9 % percentiles, and area averaging
 * lowers a star's peak, so at the output's resolution the bright stars lie far above the range's top, the brightest
 * above it already in the input ({@link OutOfRange}'s excess). Before, the decoded result was clamped at that top and
 * the excess spread evenly over its block: stars came out flattened, their brightest pixels 0.69-0.98 of the truth's
 * (mean 0.82), the error 151 counts rms (0.49 of bicubic's 310); now 0.76-1.02 (mean 0.89), 125 counts (0.40).
 */
class PointSourceSuperResolutionTest {

	/** Star centres (x, y) in output pixels and peak heights above the sky (100 counts), sigma 1.2 px. */
	private static final double[][] STARS = {{21.5, 18.5, 9000}, {58, 41, 7000}, {37.5, 54.5, 6000}, {10, 50, 8000},
		{50, 12, 5000}, {8.2, 9.7, 4000}, {33, 33, 3000}};
	private static final int SIDE = 64, SKY = 100;

	@Test
	void starsKeepTheirPeaks() {
		FloatPlanes truth = FloatPlanes.zeros(1, SIDE, SIDE);
		for (int y = 0; y < SIDE; y++)
			for (int x = 0; x < SIDE; x++) {
				double v = SKY + 3 * Math.sin(x * 1.7 + y * 2.3); // a sky with a fine texture
				for (double[] s : STARS)
					v += s[2] * Math.exp(-((x - s[0]) * (x - s[0]) + (y - s[1]) * (y - s[1])) / (2 * 1.2 * 1.2));
				truth.set(0, y, x, (float) v);
			}
		int f = 4, n = SIDE / f;
		FloatPlanes low = Consistency.areaDownsample(truth, f);
		SuperResolutionOptions o = new SuperResolutionOptions();
		o.sampling = DemoModel.fast(4);
		Img<FloatType> out = new LatentDiffusion(DemoModel.get()).superResolve(ArrayImgs.floats(low.data().clone(), n, n),
			o, Progress.NONE);
		FloatPlanes sr = FloatPlanes.zeros(1, SIDE, SIDE);
		RandomAccess<FloatType> ra = out.randomAccess();
		for (int y = 0; y < SIDE; y++)
			for (int x = 0; x < SIDE; x++) sr.set(0, y, x, ra.setPositionAndGet(x, y).get());

		double sum = 0, worst = Double.POSITIVE_INFINITY;
		StringBuilder ratios = new StringBuilder();
		for (double[] s : STARS) {
			double peak = 0, truePeak = 0;
			for (int y = (int) s[1] - 3; y <= (int) s[1] + 3; y++)
				for (int x = (int) s[0] - 3; x <= (int) s[0] + 3; x++) {
					peak = Math.max(peak, sr.get(0, y, x) - SKY);
					truePeak = Math.max(truePeak, truth.get(0, y, x) - SKY);
				}
			sum += peak / truePeak;
			worst = Math.min(worst, peak / truePeak);
			ratios.append(String.format(Locale.ROOT, " %.2f", peak / truePeak));
		}
		double ldm = rms(sr, truth), bicubic = rms(Bicubic.upsample(low, f), truth);
		String figures = String.format(Locale.ROOT, "peaks against the truth's:%s; error %.1f counts rms (bicubic %.1f); "
			+ "grid %.3f (truth %.3f)", ratios, ldm, bicubic, Quality.gridRatio(sr, f), Quality.gridRatio(truth, f));
		assertTrue(sum / STARS.length >= 0.86 && worst >= 0.72, "stars flattened: " + figures);
		assertTrue(ldm <= 0.45 * bicubic, "far from the truth: " + figures);
	}

	private static double rms(FloatPlanes a, FloatPlanes b) {
		double se = 0;
		for (int i = 0; i < a.data().length; i++) se += (a.data()[i] - b.data()[i]) * (double) (a.data()[i] - b.data()[i]);
		return Math.sqrt(se / a.data().length);
	}

	/**
	 * A field of 60 stars of 10 to 10^4 counts, sigma 0.8-1.6 px, on a sky of 100 ± 5 counts over 256 px: no block
	 * grid (issue #18: ratio at most 1.05; the truth 1.058, bicubic 1.184). Before, each bright star's block kept a
	 * step at its borders, the excess in the block alone and the smoothing of the borders before it: 1.156 (error 54.0
	 * counts rms, bicubic 81.7); now 1.030, 40.9.
	 */
	@Test
	void aStarFieldHasNoBlockGrid() {
		int side = 256, f = 4, n = side / f;
		Random rng = new Random(1);
		FloatPlanes truth = FloatPlanes.zeros(1, side, side);
		double[][] stars = new double[60][];
		for (int k = 0; k < stars.length; k++)
			stars[k] = new double[] {rng.nextDouble() * side, rng.nextDouble() * side, Math.pow(10, 1 + 3 * rng.nextDouble()),
				0.8 + 0.8 * rng.nextDouble()};
		for (int y = 0; y < side; y++)
			for (int x = 0; x < side; x++) {
				double v = SKY + 5 * rng.nextGaussian();
				for (double[] s : stars)
					v += s[2] * Math.exp(-((x - s[0]) * (x - s[0]) + (y - s[1]) * (y - s[1])) / (2 * s[3] * s[3]));
				truth.set(0, y, x, (float) v);
			}
		FloatPlanes low = Consistency.areaDownsample(truth, f);
		SuperResolutionOptions o = new SuperResolutionOptions();
		o.sampling = DemoModel.fast(4);
		Img<FloatType> out = new LatentDiffusion(DemoModel.get()).superResolve(ArrayImgs.floats(low.data().clone(), n, n),
			o, Progress.NONE);
		FloatPlanes sr = FloatPlanes.zeros(1, side, side);
		RandomAccess<FloatType> ra = out.randomAccess();
		for (int y = 0; y < side; y++)
			for (int x = 0; x < side; x++) sr.set(0, y, x, ra.setPositionAndGet(x, y).get());
		double grid = Quality.gridRatio(sr, f), ldm = rms(sr, truth), bicubic = rms(Bicubic.upsample(low, f), truth);
		String figures = String.format(Locale.ROOT, "grid %.3f (truth %.3f), error %.1f counts rms (bicubic %.1f)", grid,
			Quality.gridRatio(truth, f), ldm, bicubic);
		assertTrue(grid <= 1.05, "a block grid: " + figures);
		assertTrue(ldm <= 0.6 * bicubic, "far from the truth: " + figures);
	}
}
