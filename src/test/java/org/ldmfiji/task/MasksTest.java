package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.List;

/** Mask growing, feather weights and regions on small grids with known answers. */
class MasksTest {

	@Test
	void growingOnePixelGivesADisc() {
		int w = 11, h = 11;
		boolean[] m = new boolean[w * h];
		m[5 * w + 5] = true;
		boolean[] g = Masks.grow(m, w, h, 2);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				double d = Math.hypot(x - 5, y - 5);
				if (d <= 2) assertTrue(g[y * w + x], "inside the disc: " + x + "," + y);
				if (d > 2.9) assertTrue(!g[y * w + x], "outside the disc: " + x + "," + y);
			}
		assertArrayEquals(m, Masks.grow(m, w, h, 0), "grow 0 is the mask itself");
	}

	@Test
	void featherIsZeroOutsideRampsInsideAndOneInTheCore() {
		int w = 20, h = 20;
		boolean[] m = TestImages.rect(w, h, 4, 4, 12, 12);
		float[] a = Masks.featherWeights(m, w, h, 3);
		for (int i = 0; i < m.length; i++) if (!m[i]) assertEquals(0f, a[i]);
		assertEquals(0.25f, a[10 * w + 4], 1e-6, "edge pixel: distance 1 of feather + 1 = 4");
		assertEquals(0.5f, a[10 * w + 5], 1e-6);
		assertEquals(1f, a[10 * w + 10], "core");
		float[] hard = Masks.featherWeights(m, w, h, 0);
		for (int i = 0; i < m.length; i++) assertEquals(m[i] ? 1f : 0f, hard[i]);
	}

	@Test
	void theImageBorderIsNoBoundaryForTheFeather() {
		int w = 10, h = 10;
		boolean[] m = TestImages.rect(w, h, 0, 0, 5, 10);
		float[] a = Masks.featherWeights(m, w, h, 2);
		assertEquals(1f, a[5 * w], "pixel on the image border, far from unmasked pixels");
		assertEquals(1f / 3, a[5 * w + 4], 1e-6);
	}

	@Test
	void regionsAreEightConnected() {
		int w = 10, h = 10;
		boolean[] m = new boolean[w * h];
		m[1 * w + 1] = m[2 * w + 2] = true; // diagonal neighbours: one region
		m[7 * w + 7] = true;
		List<Masks.Region> r = Masks.regions(m, w, h);
		assertEquals(2, r.size());
		assertEquals(2, r.get(0).pixels.length);
		assertArrayEquals(new int[] {1, 1, 3, 3}, new int[] {r.get(0).x0, r.get(0).y0, r.get(0).x1, r.get(0).y1});
	}
}
