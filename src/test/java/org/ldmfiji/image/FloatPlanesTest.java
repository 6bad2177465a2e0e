package org.ldmfiji.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class FloatPlanesTest {

	private static FloatPlanes random(int c, int h, int w, long seed) {
		Random r = new Random(seed);
		float[] d = new float[c * h * w];
		for (int i = 0; i < d.length; i++) d[i] = (float) r.nextGaussian();
		return new FloatPlanes(c, h, w, d);
	}

	@Test
	void layoutIsChannelMajorWithXFastest() {
		FloatPlanes p = FloatPlanes.zeros(2, 3, 4);
		p.set(1, 2, 3, 7f);
		assertEquals(7f, p.data()[(1 * 3 + 2) * 4 + 3]);
		assertEquals(7f, p.channel(1).get(0, 2, 3));
	}

	@Test
	void ndArrayRoundTripKeepsShapeAndValues() {
		FloatPlanes p = random(3, 5, 7, 1);
		try (NDManager m = NDManager.newBaseManager()) {
			NDArray a = p.toNDArray(m);
			assertEquals(new Shape(1, 3, 5, 7), a.getShape());
			assertEquals(p.get(1, 3, 2), a.getFloat(0, 1, 3, 2), "tensor element (0, 1, 3, 2) is planes' (c=1, y=3, x=2)");
			FloatPlanes back = FloatPlanes.of(a);
			assertArrayEquals(p.data(), back.data());
			assertEquals(3, back.channels());
			assertEquals(5, back.height());
			assertEquals(7, back.width());

			FloatPlanes fromChw = FloatPlanes.of(a.squeeze(0));
			assertArrayEquals(p.data(), fromChw.data(), "[C, H, W] is accepted as well");

			FloatPlanes fromDouble = FloatPlanes.of(a.toType(DataType.FLOAT64, false));
			assertArrayEquals(p.data(), fromDouble.data(), "float64 tensors are converted");
		}
	}

	@Test
	void batchRoundTrip() {
		List<FloatPlanes> batch = Arrays.asList(random(1, 4, 6, 2), random(1, 4, 6, 3), random(1, 4, 6, 4));
		try (NDManager m = NDManager.newBaseManager()) {
			NDArray a = FloatPlanes.toNDArray(m, batch);
			assertEquals(new Shape(3, 1, 4, 6), a.getShape());
			List<FloatPlanes> back = FloatPlanes.listOf(a);
			assertEquals(3, back.size());
			for (int i = 0; i < 3; i++) assertArrayEquals(batch.get(i).data(), back.get(i).data(), "item " + i);
			IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FloatPlanes.of(a));
			assertTrue(e.getMessage().contains("listOf"), e.getMessage());
		}
	}

	@Test
	void rejectsWrongDataLength() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FloatPlanes(2, 3, 4, new float[23]));
		assertTrue(e.getMessage().contains("24"), e.getMessage());
	}

	@Test
	void infinityCheckNamesCountAndFirstPosition() {
		FloatPlanes p = FloatPlanes.zeros(2, 4, 5);
		p.set(1, 2, 3, Float.NaN); // no data, allowed
		assertSame(p, p.requireNoInfinity("ok"));
		p.set(1, 3, 0, Float.NEGATIVE_INFINITY);
		p.set(0, 0, 1, Float.POSITIVE_INFINITY);
		assertEquals(1, p.countNaN());
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.requireNoInfinity("cells.tif"));
		String msg = e.getMessage();
		assertTrue(msg.contains("'cells.tif'") && msg.contains("2 infinite pixels"), msg);
		assertTrue(msg.contains("x=1, y=0, channel 1"), "first bad pixel in CHW order: " + msg);
		assertTrue(msg.contains("Process > Math > Set"), msg);
	}

	@Test
	void concatChannelsStacksPlanes() {
		FloatPlanes a = random(1, 3, 3, 5), b = random(2, 3, 3, 6);
		FloatPlanes ab = FloatPlanes.concatChannels(Arrays.asList(a, b));
		assertEquals(3, ab.channels());
		assertArrayEquals(a.data(), ab.channel(0).data());
		assertArrayEquals(b.channel(1).data(), ab.channel(2).data());
		assertThrows(IllegalArgumentException.class, () -> FloatPlanes.concatChannels(Arrays.asList(a, random(1, 3, 4, 7))));
	}

	@Test
	void cropKeepsTheTopLeftOfEveryChannel() {
		FloatPlanes p = FloatPlanes.zeros(2, 3, 4);
		for (int c = 0; c < 2; c++)
			for (int y = 0; y < 3; y++)
				for (int x = 0; x < 4; x++) p.set(c, y, x, 100 * c + 10 * y + x);
		FloatPlanes q = p.crop(2, 3);
		org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112},
			q.data(), "channel-major top-left 2x3 of each plane");
		org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> p.crop(4, 4));
	}
}
