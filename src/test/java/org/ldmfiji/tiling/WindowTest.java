package org.ldmfiji.tiling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import org.ldmfiji.image.FloatPlanes;

/** A window larger than the image sees the image and its mask mirrored the same way. */
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
}
