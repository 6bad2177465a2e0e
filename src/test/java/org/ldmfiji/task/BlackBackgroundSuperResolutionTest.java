package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;

import org.junit.jupiter.api.Test;

import java.util.Locale;

/**
 * An 8-bit image on a black background with a saturated spot (a fluorescence field) through the default
 * super-resolution: the black stays black, the saturated spot white, and the stored result reproduces the input under
 * the 4 × 4 area average up to rounding. Before {@link StorableRange}, the consistent result scattered around 0 on the
 * black blocks and writing clamped the negative values: speckle of several levels there, area averages off the input
 * by more than a level. The same for a 16-bit field whose saturated pixels lie above the 99.9 % percentile (kept out
 * of the model as {@link OutOfRange}'s excess): before the bounds were lowered by that excess, one pixel of each
 * saturated block came out hundreds of levels dark.
 */
class BlackBackgroundSuperResolutionTest {

	@Test
	void blackStaysBlackAndTheStoredResultIsConsistent() {
		int w = 40, h = 32;
		ArrayImg<UnsignedByteType, ByteArray> src = ArrayImgs.unsignedBytes(w, h);
		RandomAccess<UnsignedByteType> in = src.randomAccess();
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				double v = 0;
				int[][] spots = {{10, 9, 3}, {27, 20, 4}, {18, 25, 2}, {33, 6, 2}};
				for (int[] s : spots) v += 300 * Math.exp(-((x - s[0]) * (x - s[0]) + (y - s[1]) * (y - s[1])) / (2.0 * s[2] * s[2]));
				in.setPositionAndGet(x, y).setReal(Math.min(255, Math.floor(v < 6 ? 0 : v)));
			}
		SuperResolutionOptions o = new SuperResolutionOptions();
		o.sampling = DemoModel.fast(4);
		Img<UnsignedByteType> out = new LatentDiffusion(DemoModel.get()).superResolve(src, o, Progress.NONE);

		Blocks b = new Blocks(src, out, 0, 255);
		assertTrue(b.atBound[0] > w * h / 3 && b.atBound[1] >= 4, "the test image needs black and saturated blocks: "
			+ b.atBound[0] + ", " + b.atBound[1]);
		assertEquals(0, b.off, "pixels of black (input 0) or saturated (255) blocks that are not 0 or 255");
		assertTrue(b.worst <= 0.5, String.format(Locale.ROOT, "area average off the input by up to %.3f levels", b.worst));
	}

	@Test
	void saturatedSixteenBitPixelsAboveThePercentileStaySaturated() {
		int w = 64, h = 48;
		ArrayImg<UnsignedShortType, ShortArray> src = ArrayImgs.unsignedShorts(w, h);
		RandomAccess<UnsignedShortType> in = src.randomAccess();
		int[][] cells = {{14, 12, 3}, {40, 30, 4}, {52, 10, 2}};
		int[][] saturated = {{14, 12}, {41, 30}};
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				double v = 800 + 200 * Math.sin(x / 5.0) * Math.cos(y / 7.0);
				for (int[] s : cells)
					v += 20000 * Math.exp(-((x - s[0]) * (x - s[0]) + (y - s[1]) * (y - s[1])) / (2.0 * s[2] * s[2]));
				in.setPositionAndGet(x, y).setReal(Math.min(60000, Math.round(v)));
			}
		for (int[] s : saturated) in.setPositionAndGet(s[0], s[1]).set(65535);
		SuperResolutionOptions o = new SuperResolutionOptions();
		o.sampling = DemoModel.fast(4);
		Img<UnsignedShortType> out = new LatentDiffusion(DemoModel.get()).superResolve(src, o, Progress.NONE);

		Blocks b = new Blocks(src, out, 65535);
		assertEquals(saturated.length, b.atBound[0], "saturated input pixels");
		assertEquals(0, b.off, "pixels of saturated (65535) blocks that are not 65535");
		assertTrue(b.worst <= 0.5, String.format(Locale.ROOT, "area average off the input by up to %.3f levels", b.worst));
	}

	/** The 4 × 4 blocks of a ×4 result against their input pixels. */
	private static final class Blocks {
		/** Per bound, the input pixels at it. */
		final int[] atBound;
		/** Pixels of blocks whose input is at a bound that are not at that bound. */
		int off;
		/** The largest |block mean − input|. */
		double worst;

		<T extends RealType<T>> Blocks(RandomAccessibleInterval<T> low, RandomAccessibleInterval<T> high, double... bounds) {
			int f = 4;
			atBound = new int[bounds.length];
			RandomAccess<T> in = low.randomAccess(), ra = high.randomAccess();
			for (int by = 0; by < low.dimension(1); by++)
				for (int bx = 0; bx < low.dimension(0); bx++) {
					double v = in.setPositionAndGet(bx, by).getRealDouble(), sum = 0;
					int bound = -1;
					for (int k = 0; k < bounds.length; k++) if (v == bounds[k]) bound = k;
					if (bound >= 0) atBound[bound]++;
					for (int j = 0; j < f; j++)
						for (int i = 0; i < f; i++) {
							double p = ra.setPositionAndGet(bx * f + i, by * f + j).getRealDouble();
							sum += p;
							if (bound >= 0 && p != v) off++;
						}
					worst = Math.max(worst, Math.abs(sum / (f * f) - v));
				}
		}
	}
}
