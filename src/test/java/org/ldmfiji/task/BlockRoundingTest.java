package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.imglib2.Cursor;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.RealType;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.Normalization;
import org.ldmfiji.image.Quality;

import java.util.Locale;
import java.util.Random;

/**
 * A dim integer image (fewer than 48 levels between its 0.1 and 99.9 % percentiles) is stored block by block: each
 * f × f block of the super-resolved result rounded by error diffusion inside it ({@link BlockRounding}), so that the
 * level changes of a result smooth at the scale of a level do not all fall on the block borders. A dark background of
 * 6 ± 2 levels (white noise), area-averaged by 4 and rounded, super-resolved with four DDIM steps: grid ratio 1.139
 * rounded pixel by pixel (8- and 16-bit alike), 0.854 by blocks.
 */
class BlockRoundingTest {

	private static final int F = 4;

	@Test
	void eachBlockKeepsItsMeanAndEveryPixelIsAStorableIntegerNearItsValue() {
		Random r = new Random(5);
		FloatPlanes x = FloatPlanes.zeros(3, 8, 12);
		for (int i = 0; i < x.data().length; i++) x.data()[i] = (float) (2 + r.nextDouble() * 40);
		x.data()[0] = -3; // values the type cannot store: clamped
		x.data()[1] = 258;
		FloatPlanes q = BlockRounding.of(new double[] {0, 255}, F).apply(x);
		for (int i = 0; i < x.data().length; i++) {
			float v = q.data()[i];
			assertEquals(Math.rint(v), v, 0, "an integer");
			assertTrue(v >= 0 && v <= 255, "within the type: " + v);
			if (i > 1) assertTrue(Math.abs(v - x.data()[i]) <= 1.5, "near its value: " + v + " for " + x.data()[i]);
		}
		FloatPlanes a = Consistency.areaDownsample(q, F), b = Consistency.areaDownsample(x, F);
		for (int i = 1; i < a.data().length; i++) // block 0 holds the clamped values
			assertEquals(b.data()[i], a.data()[i], 0.5 / (F * F) + 1e-4, "block " + i + "'s mean");
	}

	@Test
	void onlyADimSourceIsRoundedByBlocks() {
		SuperResolutionOptions o = new SuperResolutionOptions();
		PlaneSuperResolution plane = new PlaneSuperResolution(new SuperResolution(DemoModel.get(), o.sampling),
			DemoModel.get().manifest(), o, Normalization.forBitDepth(8), new double[] {0, 255});
		FloatPlanes result = FloatPlanes.zeros(1, 8, 8);
		for (int i = 0; i < 64; i++) result.data()[i] = 10.3f + i % 3 * 0.2f;
		FloatPlanes bright = FloatPlanes.zeros(1, 2, 2), dim = FloatPlanes.zeros(1, 2, 2);
		for (int i = 0; i < 4; i++) {
			bright.data()[i] = i * 80;
			dim.data()[i] = 10 + i;
		}
		assertSame(result, plane.storage(plane.fit(bright)).apply(result), "a source spanning 240 levels: written as it is");
		float rounded = plane.storage(plane.fit(dim)).apply(result).data()[5];
		assertEquals(Math.rint(rounded), rounded);
	}

	@Test
	void aDimNoisyBackgroundIsSuperResolvedWithoutABlockGrid() {
		assertNoGrid(ArrayImgs.unsignedBytes(64, 64), 6);
		assertNoGrid(ArrayImgs.unsignedShorts(64, 64), 100);
	}

	/** A background of {@code level} ± 2 (white noise) area-averaged by 4 and rounded, then super-resolved. */
	private static <T extends RealType<T> & NativeType<T>> void assertNoGrid(Img<T> low, int level) {
		Random r = new Random(11);
		for (Cursor<T> c = low.cursor(); c.hasNext(); ) {
			double sum = 0;
			for (int k = 0; k < F * F; k++) sum += Math.round(level + 2 * r.nextGaussian());
			c.next().setReal(Math.round(sum / (F * F)));
		}
		SuperResolutionOptions o = new SuperResolutionOptions();
		o.sampling = DemoModel.fast(2);
		Img<T> out = new LatentDiffusion(DemoModel.get()).superResolve(low, o, Progress.NONE);
		FloatPlanes sr = FloatPlanes.zeros(1, 256, 256);
		int i = 0;
		for (T t : out) sr.data()[i++] = t.getRealFloat();
		double grid = Quality.gridRatio(sr, F);
		assertTrue(grid <= 1.05, String.format(Locale.ROOT, "%s: grid ratio %.3f", low.firstElement().getClass()
			.getSimpleName(), grid));
	}
}
