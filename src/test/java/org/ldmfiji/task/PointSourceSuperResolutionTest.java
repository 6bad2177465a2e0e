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
import java.util.function.DoubleBinaryOperator;

/**
 * Stars on a dark sky (a 32-bit astronomy frame; a fluorescence field of puncta alike) through the default
 * super-resolution keep their peaks. The input is normalised by its own 0.1 / 99.9 % percentiles, and area averaging
 * lowers a star's peak, so at the output's resolution the bright stars lie far above the range's top, the brightest
 * above it already in the input ({@link OutOfRange}'s excess). Before, the decoded result was clamped at that top and
 * the excess spread evenly over its block: stars came out flattened, their brightest pixels 0.69-0.98 of the truth's
 * (mean 0.82), the error 151 counts rms (0.49 of bicubic's 310); now 0.76-1.02 (mean 0.89), 125 counts (0.40).
 */
class PointSourceSuperResolutionTest {

	/** Star centres (x, y) in output pixels, peak heights above the sky (100 counts) and sigmas. */
	private static final double[][] STARS = {{21.5, 18.5, 9000, 1.2}, {58, 41, 7000, 1.2}, {37.5, 54.5, 6000, 1.2},
		{10, 50, 8000, 1.2}, {50, 12, 5000, 1.2}, {8.2, 9.7, 4000, 1.2}, {33, 33, 3000, 1.2}};
	private static final int F = 4, SKY = 100;

	@Test
	void starsKeepTheirPeaks() {
		FloatPlanes truth = field(64, STARS, (x, y) -> 3 * Math.sin(x * 1.7 + y * 2.3)); // a sky with a fine texture
		FloatPlanes low = Consistency.areaDownsample(truth, F), sr = superResolve(low);
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
		double ldm = rms(sr, truth), bicubic = rms(Bicubic.upsample(low, F), truth);
		String figures = String.format(Locale.ROOT, "peaks against the truth's:%s; error %.1f counts rms (bicubic %.1f)",
			ratios, ldm, bicubic);
		assertTrue(sum / STARS.length >= 0.86 && worst >= 0.72, "stars flattened: " + figures);
		assertTrue(ldm <= 0.45 * bicubic, "far from the truth: " + figures);
	}

	/**
	 * A field of 60 stars of 10 to 10^4 counts, sigma 0.8-1.6 px, on a sky of 100 ± 5 counts over 256 px: no block
	 * grid (issue #18: ratio at most 1.05; the truth 1.058, bicubic 1.184). Before, each bright star's block kept a
	 * step at its borders, clamped at the range's top, the excess in the block alone and the smoothing of the borders
	 * before it: 1.243 (error 59.4 counts rms, bicubic 81.7); now 1.030, 40.9.
	 */
	@Test
	void aStarFieldHasNoBlockGrid() {
		int side = 256;
		Random rng = new Random(1);
		double[][] stars = new double[60][];
		for (int k = 0; k < stars.length; k++)
			stars[k] = new double[] {rng.nextDouble() * side, rng.nextDouble() * side, Math.pow(10, 1 + 3 * rng.nextDouble()),
				0.8 + 0.8 * rng.nextDouble()};
		FloatPlanes truth = field(side, stars, (x, y) -> 5 * rng.nextGaussian());
		FloatPlanes low = Consistency.areaDownsample(truth, F), sr = superResolve(low);
		double grid = Quality.gridRatio(sr, F), ldm = rms(sr, truth), bicubic = rms(Bicubic.upsample(low, F), truth);
		String figures = String.format(Locale.ROOT, "grid %.3f (truth %.3f), error %.1f counts rms (bicubic %.1f)", grid,
			Quality.gridRatio(truth, F), ldm, bicubic);
		assertTrue(grid <= 1.05, "a block grid: " + figures);
		assertTrue(ldm <= 0.6 * bicubic, "far from the truth: " + figures);
	}

	/** SKY + sky(x, y) + Gaussian stars {x, y, peak, sigma}, side × side. */
	private static FloatPlanes field(int side, double[][] stars, DoubleBinaryOperator sky) {
		FloatPlanes p = FloatPlanes.zeros(1, side, side);
		for (int y = 0; y < side; y++)
			for (int x = 0; x < side; x++) {
				double v = SKY + sky.applyAsDouble(x, y);
				for (double[] s : stars)
					v += s[2] * Math.exp(-((x - s[0]) * (x - s[0]) + (y - s[1]) * (y - s[1])) / (2 * s[3] * s[3]));
				p.set(0, y, x, (float) v);
			}
		return p;
	}

	/** The default super-resolution of a 32-bit image, through the ImgLib2 API (its percentile normalisation). */
	private static FloatPlanes superResolve(FloatPlanes low) {
		SuperResolutionOptions o = new SuperResolutionOptions();
		o.sampling = DemoModel.fast(4);
		Img<FloatType> out = new LatentDiffusion(DemoModel.get()).superResolve(ArrayImgs.floats(low.data().clone(),
			low.width(), low.height()), o, Progress.NONE);
		FloatPlanes sr = FloatPlanes.zeros(1, low.height() * F, low.width() * F);
		RandomAccess<FloatType> ra = out.randomAccess();
		for (int y = 0; y < sr.height(); y++)
			for (int x = 0; x < sr.width(); x++) sr.set(0, y, x, ra.setPositionAndGet(x, y).get());
		return sr;
	}

	private static double rms(FloatPlanes a, FloatPlanes b) {
		double se = 0;
		for (int i = 0; i < a.data().length; i++) se += (a.data()[i] - b.data()[i]) * (double) (a.data()[i] - b.data()[i]);
		return Math.sqrt(se / a.data().length);
	}
}
