package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.FloatPlanes;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Strength (a run from the harmonic first guess, SDEdit) on the demo bundle. */
class InpaintingStrengthTest {

	private static final int S = 64;

	private static FloatPlanes image() {
		Random r = new Random(5);
		FloatPlanes x = FloatPlanes.zeros(1, S, S);
		for (int y = 0; y < S; y++)
			for (int i = 0; i < S; i++)
				x.set(0, y, i, (float) (0.5 * Math.sin(i / 6.0) * Math.cos(y / 9.0) + 0.05 * r.nextGaussian()));
		return x;
	}

	private static boolean[] box() {
		boolean[] m = new boolean[S * S];
		for (int i = 0; i < m.length; i++) m[i] = Math.abs(i % S - 30) < 10 && Math.abs(i / S - 34) < 8;
		return m;
	}

	private static FloatPlanes fill(double strength, long seed, List<Integer> steps) {
		Inpainting in = new Inpainting(DemoModel.get(), DemoModel.fast(seed), 16, strength, Seam.CORRECT);
		return in.run(image(), box(), 1, (done, total) -> steps.add(total)).get(0);
	}

	@Test
	void aLowStrengthRunsTheLastStepsOnlyAndStaysNearTheFirstGuess() {
		FloatPlanes guess = Inpainting.firstGuess(image(), box());
		List<Integer> low = new ArrayList<>(), full = new ArrayList<>();
		FloatPlanes near = fill(0.3, 1, low), free = fill(1, 1, full);
		// DDIM 4 steps visits t = 751, 501, 251, 1; strength 0.3 starts at t <= 300
		assertEquals(2, low.get(0), "steps run at strength 0.3");
		assertEquals(4, full.get(0), "steps run at strength 1");
		double dNear = TestImages.maskedMae(near, guess, box()), dFree = TestImages.maskedMae(free, guess, box());
		assertTrue(dNear < dFree, "the fill at strength 0.3 should stay nearer the harmonic first guess than at 1: "
			+ dNear + " vs " + dFree);
		assertArrayEquals(near.data(), fill(0.3, 1, new ArrayList<>()).data(), "same seed, same strength: same fill");
	}

	@Test
	void aStrengthOutsideZeroToOneIsRefused() {
		for (double bad : new double[] {0, -0.5, 1.5, Double.NaN}) {
			IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
				() -> new Inpainting(DemoModel.get(), DemoModel.fast(0), 16, bad, Seam.CORRECT));
			assertTrue(e.getMessage().contains("strength must be in (0, 1]"), e.getMessage());
		}
	}
}
