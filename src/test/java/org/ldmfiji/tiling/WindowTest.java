package org.ldmfiji.tiling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import org.ldmfiji.image.FloatPlanes;

/** Where a window lies, and that a window larger than the image sees the image and its mask mirrored alike. */
class WindowTest {

	@Test
	void maskIsMirroredLikeThePixelsSoUnknownPixelsNeverBecomeContext() {
		int w = 5, h = 3;
		FloatPlanes image = FloatPlanes.zeros(1, h, w);
		boolean[] mask = new boolean[w * h];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) image.set(0, y, x, y * w + x);
		mask[1 * w + 3] = true; // pixel (3, 1): unknown
		Window win = new Window(-2, -3, 12, 9);
		FloatPlanes pixels = win.extract(image);
		boolean[] m = win.extract(mask, w, h);
		int unknown = 0;
		for (int j = 0; j < win.height; j++)
			for (int i = 0; i < win.width; i++) {
				boolean fromUnknownPixel = pixels.get(0, j, i) == 1 * w + 3;
				assertEquals(fromUnknownPixel, m[j * win.width + i], "window pixel (" + i + ", " + j + ")");
				if (m[j * win.width + i]) unknown++;
			}
		assertEquals(2 * 5, unknown, "the pixel and its mirror images: x = 3, 5 and y = -3, -1, 1, 3, 5 in this window");
	}

	/**
	 * The margin is context: it stops at the image's edge (the side rounded up to the unit) and does not add
	 * mirrored copies; only the minimum side may take a window past a small image.
	 */
	@Test
	void theContextMarginStopsAtTheImage() {
		Window whole = Window.around(0, 0, 128, 128, 32, 8, 128, 128, 128);
		assertEquals(new Window(0, 0, 128, 128).toString(), whole.toString(), "a mask across the image: the image");
		Window ragged = Window.around(3, 5, 90, 97, 32, 8, 64, 100, 110);
		assertEquals(104, ragged.width, "100 px rounded up to the unit 8, not 87 + 64");
		assertEquals(112, ragged.height);
		Window small = Window.around(10, 10, 20, 20, 32, 8, 128, 60, 60);
		assertEquals(128, small.width, "the minimum side on a smaller image: mirrored");
		Window inside = Window.around(100, 100, 120, 120, 16, 8, 32, 400, 400);
		assertEquals(56, inside.width, "20 + 2 x 16 rounded up to 8, within the image");
		assertEquals(82, inside.x, "centred on the region");
	}
}
