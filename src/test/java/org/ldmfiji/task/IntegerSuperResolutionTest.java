package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertTrue;

import net.imglib2.Cursor;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.Quality;

import java.util.Locale;
import java.util.Random;

/**
 * Super-resolution of integer images that are smooth at the scale of a level, the default run end to end (the demo
 * model, two DPM-Solver steps): a dim noisy background and a bright gradient of a few levels. Their inputs are plateaus
 * of one level; the result must neither put its level changes on the block borders (a grid) nor scatter them over the
 * blocks (a dithered pattern, further from the truth than plain contours).
 */
class IntegerSuperResolutionTest {

	private static final int F = 4, LOW = 64;

	@Test
	void aDimNoisyBackgroundIsSuperResolvedWithoutABlockGrid() {
		assertNoGrid(ArrayImgs.unsignedBytes(LOW, LOW), 6);
		assertNoGrid(ArrayImgs.unsignedShorts(LOW, LOW), 100);
	}

	/**
	 * A diagonal gradient over 9 levels (247 … 255, a sky's or a wallpaper's), each pixel rounded with a little noise so
	 * that its contours are ragged (1 in 6 pixels next to a contour is on its other side), area-averaged by 4 and rounded: the result is within a fraction of a level of the
	 * truth. Before the means were dequantised (the plateaus rounded by error diffusion in each block) its RMS error
	 * was 0.324 levels, now 0.282.
	 */
	@Test
	void aGradientOfAFewLevelsIsSuperResolvedNearTheTruth() {
		Random r = new Random(3);
		int n = LOW * F;
		FloatPlanes truth = FloatPlanes.zeros(1, n, n);
		for (int y = 0; y < n; y++)
			for (int x = 0; x < n; x++)
				truth.data()[y * n + x] = Math.min(255, Math.round(246.6 + 8.8 * (x + y) / (2.0 * n) + 0.1 * r.nextGaussian()));
		FloatPlanes sr = superResolveDownsampled(truth);
		double rms = rmsLevels(sr, truth);
		System.out.printf(Locale.ROOT, "gradient: RMS error %.3f levels, grid %.3f%n", rms, Quality.gridRatio(sr, F));
		assertTrue(rms <= 0.3, String.format(Locale.ROOT, "RMS error %.3f levels", rms));
		assertTrue(Quality.gridRatio(sr, F) <= 1.05, "grid ratio " + Quality.gridRatio(sr, F));
	}

	/**
	 * A sky: clouds of 60 levels over the image's width, smooth at the scale of a level, with a grain of 0.6 levels
	 * (film or sensor noise finer than the input's pixels, which the input cannot show), rounded to 8 bits, then
	 * area-averaged by 4 and rounded. Nothing in the input tells the grain's phase: detail the model adds there is
	 * error. With the model's detail kept as its samples' spread allows, the RMS error was 0.765 levels; with it taken
	 * where the input is smooth at the scale of a level, 0.730 (the true sky without its grain, rounded to whole
	 * levels: 0.726).
	 */
	@Test
	void aSkySmoothAtTheScaleOfALevelGetsNoInventedDetail() {
		Random r = new Random(5);
		int n = LOW * F;
		FloatPlanes truth = FloatPlanes.zeros(1, n, n);
		for (int y = 0; y < n; y++)
			for (int x = 0; x < n; x++) {
				double u = 2 * Math.PI * x / n, v = 2 * Math.PI * y / n;
				double sky = 120 + 20 * Math.sin(u + 0.3) * Math.cos(0.7 * v) + 10 * Math.sin(1.7 * v + 0.5 * u) + 15.0 * y / n;
				truth.data()[y * n + x] = Math.round(sky + 0.6 * r.nextGaussian());
			}
		FloatPlanes sr = superResolveDownsampled(truth);
		double rms = rmsLevels(sr, truth);
		System.out.printf(Locale.ROOT, "sky: RMS error %.3f levels, grid %.3f%n", rms, Quality.gridRatio(sr, F));
		assertTrue(rms <= 0.75, String.format(Locale.ROOT, "RMS error %.3f levels", rms));
	}

	/** {@code truth} (8-bit values) area-averaged by F and rounded, then super-resolved with the defaults. */
	private static FloatPlanes superResolveDownsampled(FloatPlanes truth) {
		Img<UnsignedByteType> low = ArrayImgs.unsignedBytes(truth.width() / F, truth.height() / F);
		FloatPlanes means = Consistency.areaDownsample(truth, F);
		int i = 0;
		for (UnsignedByteType t : low) t.setReal(Math.round(means.data()[i++]));
		return superResolve(low);
	}

	/** The RMS difference in 8-bit levels. */
	private static double rmsLevels(FloatPlanes a, FloatPlanes b) {
		return 255 / Math.pow(10, Quality.psnr(a, b, 255) / 20);
	}

	/** A background of {@code level} ± 2 (white noise) area-averaged by 4 and rounded, then super-resolved. */
	private static <T extends RealType<T> & NativeType<T>> void assertNoGrid(Img<T> low, int level) {
		Random r = new Random(11);
		for (Cursor<T> c = low.cursor(); c.hasNext(); ) {
			double sum = 0;
			for (int k = 0; k < F * F; k++) sum += Math.round(level + 2 * r.nextGaussian());
			c.next().setReal(Math.round(sum / (F * F)));
		}
		double grid = Quality.gridRatio(superResolve(low), F);
		System.out.printf(Locale.ROOT, "background: grid %.3f%n", grid);
		assertTrue(grid <= 1.05, String.format(Locale.ROOT, "%s: grid ratio %.3f", low.firstElement().getClass()
			.getSimpleName(), grid));
	}

	private static <T extends RealType<T> & NativeType<T>> FloatPlanes superResolve(Img<T> low) {
		SuperResolutionOptions o = new SuperResolutionOptions();
		o.sampling = DemoModel.fast(2);
		Img<T> out = new LatentDiffusion(DemoModel.get()).superResolve(low, o, Progress.NONE);
		FloatPlanes sr = FloatPlanes.zeros(1, (int) out.dimension(1), (int) out.dimension(0));
		int i = 0;
		for (T t : out) sr.data()[i++] = t.getRealFloat();
		return sr;
	}
}
